package io.lvsdirector.core.ecmp;

import java.net.InetAddress;
import java.util.Objects;

/** One change to the announce interface: {@code ip addr add|del VIP/32 dev lvs-vips}. */
public sealed interface VipOp {

    InetAddress vip();

    /** Puts the VIP on the interface: BIRD announces it. */
    record Add(InetAddress vip) implements VipOp {
        public Add {
            Objects.requireNonNull(vip, "vip");
        }
    }

    /** Takes the VIP off the interface: BIRD withdraws it. */
    record Remove(InetAddress vip) implements VipOp {
        public Remove {
            Objects.requireNonNull(vip, "vip");
        }
    }
}
