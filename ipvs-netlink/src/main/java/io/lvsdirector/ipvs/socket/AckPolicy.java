package io.lvsdirector.ipvs.socket;

/**
 * Which messages of a batch ask the kernel for an acknowledgement ({@code NLM_F_ACK}).
 *
 * <p>Either way every failed message is answered with an NLMSG_ERROR carrying its sequence number:
 * {@code netlink_rcv_skb()} acks a message when it asked for it <em>or</em> when its handler failed,
 * and then goes on with the next message of the same send. So the outcome of each message is known
 * with both policies; they differ only in how many answers the kernel must build and we must read.
 */
public enum AckPolicy {
    /** Every message asks for an ACK: one answer per message. The conservative choice. */
    EACH,
    /**
     * Only the last message of each {@code send} asks for an ACK; the others are answered only when they
     * fail. The last answer marks the end of that send's answers, because the kernel handles all of a
     * send's messages in order before {@code send} returns. For 11,000 operations in the lab, about five times
     * faster than {@link #EACH} (ipvs-netlink/README.md, Benchmark).
     */
    LAST_OF_SEND
}
