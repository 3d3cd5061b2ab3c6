package io.lvsdirector.core.probe;

/**
 * A TCP connect: a connection accepted within the timeout is the answer ("ok"); nothing is written or
 * read, and the connection is closed at once. A refusal, reset or timeout is the checker's, as for
 * every kind. Stateless, so one instance serves every target.
 */
final class TcpProbe implements ProbeKind {

    static final TcpProbe INSTANCE = new TcpProbe();

    private TcpProbe() {
    }

    @Override
    public void connected(Exchange probe) {
        probe.finish(ProbeResult.Outcome.UP, "ok");
    }

    @Override
    public Reader newReader() {
        return null;
    }
}
