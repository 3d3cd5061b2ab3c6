package io.lvsdirector.api.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.validation.ValidationMethod;
import io.lvsdirector.core.ha.HaSettings;
import io.lvsdirector.ipvs.IpAddresses;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.InetAddress;
import java.nio.file.Path;

/**
 * {@code ha:} the kernel's IPVS connection sync daemons, following the VRRP state keepalived reports
 * ({@code PUT /v1/ha/instances/NAME}): a backup daemon always, a master daemon while this director is
 * MASTER of any instance. Off by default: then the director never touches the sync daemons.
 *
 * <pre>
 * ha:
 *   enabled: false
 *   syncInterface: eth0
 *   syncId: 1
 *   stateFile: /run/lvs-director/ha.json
 *   # optional, the kernel's defaults when unset:
 *   syncMaxLen: 0          # UDP payload bytes; 0 = from the interface MTU
 *   mcastGroup: null       # 224.0.0.81
 *   mcastPort: 0           # 8848
 *   mcastTtl: 0            # 1
 * </pre>
 */
public class HaFactory {

    /** Whether the service runs the sync daemons. */
    @JsonProperty
    private boolean enabled;

    /** The interface the daemons send and receive the connection table on (the directors' shared link). */
    @NotNull
    @Pattern(regexp = "[A-Za-z0-9_.:@-]{1,15}", message = "must be a network interface name (1-15 characters)")
    @JsonProperty
    private String syncInterface = "eth0";

    /** The sync id (0-255); both directors of a pair use the same, another pair on the link another. */
    @Min(0)
    @Max(255)
    @JsonProperty
    private int syncId = 1;

    /**
     * Where the VRRP states keepalived reported are kept across a restart of the service (keepalived
     * does not report again then). Runtime state: {@code /run}, gone after a reboot, when keepalived
     * reports again.
     */
    @NotNull
    @JsonProperty
    private Path stateFile = Path.of("/run/lvs-director/ha.json");

    /** {@code --sync-maxlen}: 0 = the kernel's default, derived from the interface MTU. */
    @Min(0)
    @Max(65535)
    @JsonProperty
    private int syncMaxLen;

    /** {@code --mcast-group}: unset = 224.0.0.81. */
    @JsonProperty
    private String mcastGroup;

    /** {@code --mcast-port}: 0 = 8848. */
    @Min(0)
    @Max(65535)
    @JsonProperty
    private int mcastPort;

    /** {@code --mcast-ttl}: 0 = 1. */
    @Min(0)
    @Max(255)
    @JsonProperty
    private int mcastTtl;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getSyncInterface() {
        return syncInterface;
    }

    public void setSyncInterface(String syncInterface) {
        this.syncInterface = syncInterface;
    }

    public int getSyncId() {
        return syncId;
    }

    public void setSyncId(int syncId) {
        this.syncId = syncId;
    }

    public Path getStateFile() {
        return stateFile;
    }

    public void setStateFile(Path stateFile) {
        this.stateFile = stateFile;
    }

    @JsonIgnore
    @ValidationMethod(message = "ha: syncInterface must be an interface name and mcastGroup a multicast address")
    public boolean isBuildable() {
        if (syncInterface == null || syncId < 0 || syncId > 255) {
            return true; // reported by the field constraints
        }
        try {
            buildSettings();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The settings director-core takes. */
    public HaSettings buildSettings() {
        InetAddress group = mcastGroup == null || mcastGroup.isBlank() ? null : IpAddresses.parse(mcastGroup.strip());
        return new HaSettings(syncInterface, syncId, syncMaxLen, mcastPort, mcastTtl, group);
    }
}
