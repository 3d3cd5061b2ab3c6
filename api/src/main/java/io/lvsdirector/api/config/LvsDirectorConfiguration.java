package io.lvsdirector.api.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/**
 * The director's configuration file. Every section has working defaults; {@code config/director.yml}
 * is the documented example. {@code ${VAR}} and {@code ${VAR:-default}} are replaced from the
 * environment before parsing.
 *
 * <p>Ports: the REST API on 9440 (every address), {@code /healthcheck} and {@code /metrics} on the admin
 * port 9441, bound to 127.0.0.1 (Dropwizard's {@code server:} section; {@code type: https} connectors give
 * TLS). The admin port has no authentication: keepalived's track script asks it locally, and a Prometheus
 * on another host needs an explicit {@code bindHost}.
 */
public class LvsDirectorConfiguration extends Configuration {

    public static final int APP_PORT = 9440;
    public static final int ADMIN_PORT = 9441;
    /** The admin connector's address unless configured: only local processes reach it. */
    public static final String ADMIN_BIND_HOST = "127.0.0.1";

    @Valid
    @NotNull
    @JsonProperty
    private StateFactory state = new StateFactory();

    @Valid
    @NotNull
    @JsonProperty
    private KernelFactory kernel = new KernelFactory();

    @Valid
    @NotNull
    @JsonProperty
    private ProbesFactory probes = new ProbesFactory();

    @Valid
    @NotNull
    @JsonProperty
    private AuthFactory auth = new AuthFactory();

    @Valid
    @NotNull
    @JsonProperty
    private ApiFactory api = new ApiFactory();

    @Valid
    @NotNull
    @JsonProperty
    private KubernetesFactory kubernetes = new KubernetesFactory();

    @Valid
    @NotNull
    @JsonProperty
    private HaFactory ha = new HaFactory();

    @Valid
    @NotNull
    @JsonProperty
    private EcmpFactory ecmp = new EcmpFactory();

    @Valid
    @NotNull
    @JsonProperty
    private AdminEndpointsFactory adminEndpoints = new AdminEndpointsFactory();

    public LvsDirectorConfiguration() {
        DefaultServerFactory server = (DefaultServerFactory) getServerFactory();
        HttpConnectorFactory app = new HttpConnectorFactory();
        app.setPort(APP_PORT);
        HttpConnectorFactory admin = new HttpConnectorFactory();
        admin.setPort(ADMIN_PORT);
        admin.setBindHost(ADMIN_BIND_HOST);
        server.setApplicationConnectors(List.of(app));
        server.setAdminConnectors(List.of(admin));
        // The API maps every exception itself into {code, message, field}.
        server.setRegisterDefaultExceptionMappers(false);
    }

    /**
     * Gives every admin connector without a {@code bindHost} the address 127.0.0.1. Dropwizard would bind
     * such a connector to every address, and a {@code server:} section in the YAML replaces the defaults
     * above, so the default is applied here, once the file is read: the admin port has no authentication,
     * and reaching it from elsewhere must be asked for ({@code bindHost: 0.0.0.0} or an address).
     */
    public void bindAdminToLoopbackUnlessSet() {
        if (getServerFactory() instanceof DefaultServerFactory server) {
            for (var c : server.getAdminConnectors()) {
                if (c instanceof HttpConnectorFactory http && http.getBindHost() == null) {
                    http.setBindHost(ADMIN_BIND_HOST);
                }
            }
        }
    }

    public StateFactory getState() {
        return state;
    }

    public KernelFactory getKernel() {
        return kernel;
    }

    public ProbesFactory getProbes() {
        return probes;
    }

    public AuthFactory getAuth() {
        return auth;
    }

    public ApiFactory getApi() {
        return api;
    }

    public KubernetesFactory getKubernetes() {
        return kubernetes;
    }

    public HaFactory getHa() {
        return ha;
    }

    public EcmpFactory getEcmp() {
        return ecmp;
    }

    /** One director runs one mode: a VRRP pair's sync daemons or ECMP's announcements. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    @io.dropwizard.validation.ValidationMethod(message = "ha.enabled and ecmp.enabled are two modes; turn on one")
    public boolean isOneHaMode() {
        return !(ha.isEnabled() && ecmp.isEnabled());
    }

    public AdminEndpointsFactory getAdminEndpoints() {
        return adminEndpoints;
    }
}
