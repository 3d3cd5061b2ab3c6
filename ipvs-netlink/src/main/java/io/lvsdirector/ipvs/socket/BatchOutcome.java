package io.lvsdirector.ipvs.socket;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What became of each message of a batch, in the order they were given.
 *
 * @param results           one per request, same order
 * @param transportFailure  a socket-level failure that stopped the batch early (the results then say
 *                          which messages were never sent and which have an unknown fate), or {@code null}
 */
public record BatchOutcome(List<Result> results, NetlinkException transportFailure) {

    public BatchOutcome {
        results = List.copyOf(results);
    }

    /** The fate of one message. */
    public enum Status {
        /** The kernel handled it without error. */
        DONE,
        /** The kernel refused it; {@link Result#errno()} says why. */
        FAILED,
        /** A socket failure stopped the batch before this message was sent: the kernel never saw it. */
        NOT_SENT,
        /**
         * The message was sent but its answer was lost (receive timeout or receive-buffer overrun):
         * the kernel may or may not have applied it; read the state back to know.
         */
        UNKNOWN
    }

    /**
     * @param index   position in the batch
     * @param label   the request's label
     * @param status  its fate
     * @param errno   the kernel's errno when {@code FAILED}, else 0
     * @param extAck  the kernel's extended-ack text when {@code FAILED} and given, else {@code null}
     */
    public record Result(int index, String label, Status status, int errno, String extAck) {
        public Result {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(status, "status");
            if ((status == Status.FAILED) != (errno != 0)) {
                throw new IllegalArgumentException("errno is set exactly when FAILED: " + status + " errno=" + errno);
            }
        }

        public boolean ok() {
            return status == Status.DONE;
        }

        /** The failure as an exception, for callers that want to throw it. */
        public Optional<NetlinkException> failure() {
            return status == Status.FAILED ? Optional.of(new NetlinkException(errno, label, extAck)) : Optional.empty();
        }
    }

    /** True when every message was handled without error. */
    public boolean allOk() {
        return transportFailure == null && results.stream().allMatch(Result::ok);
    }

    /** The results that are not {@code DONE}, in batch order. */
    public List<Result> problems() {
        List<Result> out = new ArrayList<>();
        for (Result r : results) {
            if (!r.ok()) {
                out.add(r);
            }
        }
        return out;
    }

    public Optional<NetlinkException> transportFailureOptional() {
        return Optional.ofNullable(transportFailure);
    }
}
