package io.lvsdirector.api.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.ValidationMethod;
import io.lvsdirector.core.ecmp.EcmpSettings;
import io.lvsdirector.core.ecmp.IpCommandVipInterface;
import io.lvsdirector.core.ecmp.VipRange;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ecmp:} N active directors behind a router's ECMP, the VIPs announced over BGP by BIRD 2 on each
 * director (the other mode is the VRRP pair, {@code ha:}; one director runs one of them). The director
 * puts each VIP it can serve on a dummy interface as a /32 (/128) and takes it off when it cannot; BIRD
 * exports that interface's addresses ({@code protocol direct}) through a filter that allows only
 * {@code vipRanges}. Off by default.
 *
 * <pre>
 * ecmp:
 *   enabled: false
 *   interface: lvs-vips              # a dummy link; created if missing; the director owns its addresses
 *   vipRanges: [192.0.2.0/24]        # only VIPs in these are announced (BIRD's filter repeats them)
 *   birdSocket: /run/bird/bird.ctl   # read for the BGP sessions' state; unreachable is reported, not fatal
 *   recheckInterval: 1s              # decide again and ask BIRD this often, besides after every pass
 *   ipCommand: ip                    # iproute2's ip, which changes the interface's addresses
 * </pre>
 */
public class EcmpFactory {

    /** Whether this director announces its VIPs for a router's ECMP. */
    @JsonProperty
    private boolean enabled;

    /** The dummy interface BIRD exports. */
    @NotNull
    @Pattern(regexp = "[A-Za-z0-9_.-]{1,15}", message = "must be a network interface name (1-15 characters)")
    @JsonProperty("interface")
    private String interfaceName = "lvs-vips";

    /** The ranges VIPs may be announced from (CIDR). */
    @NotNull
    @JsonProperty
    private List<String> vipRanges = new ArrayList<>();

    /** BIRD's control socket. */
    @JsonProperty
    private Path birdSocket = Path.of("/run/bird/bird.ctl");

    /** How often the announcer decides again without being asked (and asks BIRD). */
    @NotNull
    @JsonProperty
    private Duration recheckInterval = Duration.seconds(1);

    /** iproute2's {@code ip}. */
    @NotNull
    @JsonProperty
    private String ipCommand = "ip";

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getInterfaceName() {
        return interfaceName;
    }

    public void setInterfaceName(String interfaceName) {
        this.interfaceName = interfaceName;
    }

    public List<String> getVipRanges() {
        return vipRanges;
    }

    public void setVipRanges(List<String> vipRanges) {
        this.vipRanges = vipRanges;
    }

    public Path getBirdSocket() {
        return birdSocket;
    }

    public void setBirdSocket(Path birdSocket) {
        this.birdSocket = birdSocket;
    }

    public String getIpCommand() {
        return ipCommand;
    }

    @JsonIgnore
    @ValidationMethod(message = "ecmp: vipRanges must hold at least one CIDR range (192.0.2.0/24) without host bits,"
            + " and recheckInterval must be positive")
    public boolean isBuildable() {
        if (!enabled) {
            return true;
        }
        try {
            buildSettings();
            return true;
        } catch (IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }

    /** The ranges as director-core takes them. */
    public List<VipRange> buildRanges() {
        return vipRanges.stream().map(VipRange::parse).toList();
    }

    /** The settings director-core takes. */
    public EcmpSettings buildSettings() {
        return new EcmpSettings(buildRanges(), java.time.Duration.ofMillis(recheckInterval.toMilliseconds()));
    }

    /** The interface writer, in {@code netns} ({@code null}: this process's namespace). */
    public IpCommandVipInterface buildInterface(String netns) {
        return new IpCommandVipInterface(ipCommand, interfaceName, netns);
    }
}
