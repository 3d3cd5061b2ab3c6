package io.lvsdirector.ipvs;

/**
 * General IPVS facts, {@code ipvsadm --version} and the header of {@code ipvsadm -Ln}.
 *
 * @param version {@code IP_VS_VERSION_CODE}, e.g. {@code 0x010201}
 * @param connectionTableSize size of the connection hash table (buckets)
 */
public record IpvsInfo(int version, int connectionTableSize) {

    /** The version as ipvsadm prints it: {@code 1.2.1}. */
    public String versionText() {
        return ((version >> 16) & 0xFF) + "." + ((version >> 8) & 0xFF) + "." + (version & 0xFF);
    }
}
