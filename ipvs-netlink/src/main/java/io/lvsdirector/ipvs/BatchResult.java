package io.lvsdirector.ipvs;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of every op of an {@link Ipvs#apply batch}, in the order given. Never ambiguous:
 * each op was acknowledged ({@link Status#OK}), refused with its own errno ({@link Status#FAILED}),
 * or not attempted at all ({@link Status#NOT_ATTEMPTED}: the batch stopped before it, e.g. because
 * the socket failed, and the kernel has not seen it).
 */
public record BatchResult(List<Outcome> outcomes) {

    /** What happened to one op. */
    public enum Status { OK, FAILED, NOT_ATTEMPTED }

    /**
     * @param op the op
     * @param status its outcome
     * @param error the exception for FAILED and NOT_ATTEMPTED (for the latter it says why the
     *     batch stopped), {@code null} for OK
     */
    public record Outcome(IpvsOp op, Status status, IpvsException error) {
        public Outcome {
            Objects.requireNonNull(op, "op");
            Objects.requireNonNull(status, "status");
            if ((status == Status.OK) != (error == null)) {
                throw new IllegalArgumentException("an OK outcome has no error and only an OK outcome has none");
            }
        }

        /** An acknowledged op. */
        public static Outcome ok(IpvsOp op) {
            return new Outcome(op, Status.OK, null);
        }

        /** An op the kernel refused. */
        public static Outcome failed(IpvsOp op, IpvsException error) {
            return new Outcome(op, Status.FAILED, error);
        }

        /** An op never sent or never answered for the given reason. */
        public static Outcome notAttempted(IpvsOp op, IpvsException reason) {
            return new Outcome(op, Status.NOT_ATTEMPTED, reason);
        }

        /** Whether the op was acknowledged. */
        public boolean ok() {
            return status == Status.OK;
        }
    }

    public BatchResult {
        outcomes = List.copyOf(outcomes);
    }

    /** Whether every op was acknowledged. */
    public boolean allOk() {
        for (Outcome o : outcomes) {
            if (!o.ok()) {
                return false;
            }
        }
        return true;
    }

    /** The outcomes that are not OK, in order. */
    public List<Outcome> failures() {
        List<Outcome> out = new ArrayList<>();
        for (Outcome o : outcomes) {
            if (!o.ok()) {
                out.add(o);
            }
        }
        return out;
    }

    /** The first outcome that is not OK. */
    public Optional<Outcome> firstFailure() {
        for (Outcome o : outcomes) {
            if (!o.ok()) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }

    /** Number of acknowledged ops. */
    public int okCount() {
        int n = 0;
        for (Outcome o : outcomes) {
            if (o.ok()) {
                n++;
            }
        }
        return n;
    }

    /** Throws the first failure's exception, if any. */
    public void throwIfFailed() {
        Optional<Outcome> f = firstFailure();
        if (f.isPresent()) {
            throw f.get().error();
        }
    }
}
