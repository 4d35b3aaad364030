// The README's walkthroughs as data: the shell blocks marked
// `<!-- walkthrough: NAME -->` (the line right before the opening ```sh), cut
// into the commands a reader types and the output the README shows for them.
//
// In a block: a line starting with `#   ` (a hash and three spaces) right under
// a command is output that command must print; any other `#` line is a
// comment; a command continues on the next line while a single quote is open
// or the line ends with a backslash (the README wraps long JSON bodies so).
// Expected output is matched loosely: `...` and `<anything>` stand for any
// text, white space runs count as one space, and the pieces between them must
// appear in the output in order.
#pragma once

#include <string>
#include <vector>

namespace logistics::testing {

struct WalkthroughStep {
  int line = 0;                       // README line where the command starts
  std::string command;                // as typed; continuation lines joined by '\n'
  std::vector<std::string> expected;  // the `#   ` lines under it, without the prefix
};

// Every step of every block marked `<!-- walkthrough: name -->`, in README order.
std::vector<WalkthroughStep> ReadWalkthrough(const std::string& readme, const std::string& name);

// Empty when `output` shows every line of `expected` (see above); otherwise
// the first piece that was not found, for the failure message.
std::string MissingOutput(const std::string& output, const std::vector<std::string>& expected);

}  // namespace logistics::testing
