package io.lvsdirector.ipvs.socket;

import io.lvsdirector.ipvs.Errno;

/**
 * The kernel has no generic-netlink family by that name ({@code ENOENT} from {@code CTRL_CMD_GETFAMILY}):
 * for "IPVS", the {@code ip_vs} module is not loaded, or the kernel was built without IPVS.
 */
public final class GenlFamilyNotFoundException extends NetlinkException {

    private static final long serialVersionUID = 1L;

    private final String family;

    public GenlFamilyNotFoundException(String family, String extAck) {
        super(Errno.ENOENT, "resolve generic netlink family " + family, extAck);
        this.family = family;
    }

    /** The family name that was looked up. */
    public String family() {
        return family;
    }
}
