// NetworkNamespaces: N network nodes, each a Linux network namespace of its
// own, that a test can partition and heal (`ip netns`, veth pairs; root only).
//
// Node i (0-based) has one address, Address(i) (10.x.y.11, .12, ...; the /24
// is picked per run among those this machine does not use). The test's own
// namespace reaches every node over a veth pair of that node's, so services
// run by the test keep reaching every node through a partition; the nodes
// reach each other over direct veth pairs (one per pair of nodes), so no
// packet is forwarded, bridged or seen by the host's firewall. Run a program
// on node i with CommandPrefix(i) in front of its command line
// ({"ip", "netns", "exec", "<namespace>"}).
//
// Partition(i) cuts node i off from every other node, both ways, with
// blackhole routes on both ends of each direct link (connections between them
// stall; new ones are refused locally), while the test's namespace still
// reaches all nodes. Heal() puts the direct routes back.
//
// Names carry the test's pid and a per-process letter ("np12345a-n1",
// "np12345ar1"), so concurrent runs never meet; constructing one also removes
// what a run that died (its pid gone) left behind.
//
// Cleanup: the destructor deletes the namespaces and the veth pairs, also
// after a failed assertion. Programs still running inside a namespace keep it
// alive: stop them first (declare the NetworkNamespaces before the servers
// that run in it, so it is destroyed after them).
//
// Failures: Unavailable() says why namespaces cannot be made here (not root,
// no `ip`, the kernel or a container refused one); a test checks it first and
// skips, saying so. Once that passed, a command that fails fails the running
// test (Catch2 FAIL) with the command and its output, after cleaning up.
// Thread-safety: none; one test thread drives it.
#pragma once

#include <string>
#include <vector>

namespace logistics::testing {

class NetworkNamespaces {
 public:
  // "" when this process can create network namespaces and veth pairs;
  // otherwise why not, in a sentence (it tries with a probe namespace).
  static std::string Unavailable();

  // Creates `nodes` namespaces, their links to the test's namespace, and the
  // direct links between them. Fails the test (after undoing what it made)
  // when a command fails.
  explicit NetworkNamespaces(int nodes = 3);
  ~NetworkNamespaces();
  NetworkNamespaces(const NetworkNamespaces&) = delete;
  NetworkNamespaces& operator=(const NetworkNamespaces&) = delete;

  int size() const { return nodes_; }
  // The namespace's name, e.g. "np12345a-n1".
  std::string Name(int node) const;
  // The node's address, e.g. "10.213.7.11".
  std::string Address(int node) const;
  // {"ip", "netns", "exec", Name(node)}.
  std::vector<std::string> CommandPrefix(int node) const;

  // Cuts `node` off from every other node, both ways (see above).
  void Partition(int node);
  // Undoes every Partition.
  void Heal();

 private:
  // Runs `ip <args>`; fails the test with its output unless it succeeds.
  void Ip(const std::string& args) const;
  std::string Root(int node) const;  // the veth end in the test's namespace
  void Cleanup() noexcept;

  int nodes_;
  std::string prefix_;  // "np<pid><letter>"
  std::string subnet_;  // "10.x.y."
};

}  // namespace logistics::testing
