/**
 * The real-kernel lab for kernel tests: {@link io.lvsdirector.lab.Lab} finds the lab scripts and builds a
 * {@link io.lvsdirector.lab.Topology} of network namespaces inside the UML kernel that {@code lab/uml-run}
 * boots. Test tooling only: no production module depends on it outside test scope.
 */
package io.lvsdirector.lab;
