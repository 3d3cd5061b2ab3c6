package io.lvsdirector.api.cli;

import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.jetty.HttpsConnectorFactory;
import io.lvsdirector.api.auth.TokenFile;
import io.lvsdirector.api.auth.UnsafeTokenFileException;
import io.lvsdirector.api.config.LvsDirectorConfiguration;
import io.lvsdirector.api.config.StateFactory;
import io.lvsdirector.api.runtime.DirectorBuilder;
import io.lvsdirector.api.state.FileServiceStore;
import io.lvsdirector.k8s.K8sSyncConfig;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code lvs-director check CONFIG}: exits 0 if the config file is valid and the files it names can
 * be used, else prints the problem and exits 1. Touches neither the kernel nor the files (a missing
 * state file with {@code createIfMissing} is reported, not created). Ansible's
 * {@code template: validate: "lvs-director check --user lvs-director %s"} runs it before installing a config.
 *
 * <p>The token file must be private to the user the server runs as: {@code --user NAME}, else the user
 * running {@code check}. Every {@code type: https} connector's key store is opened with its password and
 * must hold a private key (the one {@code certAlias} names, if set), as the server will need it.
 */
public final class CheckCommand extends ConfiguredCommand<LvsDirectorConfiguration> {

    public CheckCommand() {
        super("check", "Validates a configuration file and the token, state and key store files it names");
    }

    @Override
    public void configure(Subparser subparser) {
        super.configure(subparser);
        subparser.addArgument("--user").dest("user").metavar("NAME")
                .help("the user the server runs as, who must own the token file (default: the user running check)");
    }

    @Override
    protected void run(Bootstrap<LvsDirectorConfiguration> bootstrap, Namespace namespace,
            LvsDirectorConfiguration config) throws Exception {
        var out = System.out;
        K8sSyncConfig k8s = config.getKubernetes().buildSyncConfig();
        out.println("config: ok");
        if (config.getAuth().isEnabled()) {
            String user = namespace.getString("user");
            TokenFile tokens;
            try {
                tokens = config.getAuth().buildTokens(user != null ? user : TokenFile.processUser());
            } catch (UnsafeTokenFileException e) {
                if (e.foreignOwner() && user == null) {
                    throw new IllegalArgumentException(e.getMessage()
                            + " (if the server runs as another user than check, name it: check --user USER)");
                }
                throw e;
            }
            out.println("tokens: " + tokens.size() + " in " + config.getAuth().getTokenFile() + ", private to "
                    + (user != null ? user : TokenFile.processUser()));
        } else {
            out.println("tokens: authentication is off (every caller is an admin)");
        }
        StateFactory state = config.getState();
        if (state.getStore() == StateFactory.Store.kubernetes) {
            out.println("state: LvsService resources in Kubernetes (" + k8s.mode() + ")");
            if (!k8s.enabled()) {
                throw new IllegalArgumentException("state.store: kubernetes needs kubernetes.mode in-cluster or"
                        + " kubeconfig");
            }
        } else if (!Files.exists(state.getFile()) && state.isCreateIfMissing()) {
            out.println("state: " + state.getFile() + " does not exist yet; the server creates it empty");
        } else {
            FileServiceStore store = FileServiceStore.load(state.getFile(), DirectorBuilder.mapper(config), false);
            out.println("state: " + store.services().size() + " services, version " + store.version() + " in "
                    + state.getFile());
        }
        config.bindAdminToLoopbackUnlessSet();
        DefaultServerFactory server = (DefaultServerFactory) config.getServerFactory();
        checkConnectors("api", server.getApplicationConnectors(), out);
        checkConnectors("admin", server.getAdminConnectors(), out);
        out.println("admin endpoints: tasks " + (config.getAdminEndpoints().isTasks() ? "on" : "off")
                + ", diagnostics " + (config.getAdminEndpoints().isDiagnostics() ? "on" : "off"));
        out.println("kubernetes: " + k8s.mode());
        if (config.getHa().isEnabled()) {
            var ha = config.getHa().buildSettings();
            out.println("ha: sync daemons on " + ha.syncInterface() + " syncid " + ha.syncId() + ", VRRP states in "
                    + config.getHa().getStateFile());
        } else {
            out.println("ha: off (the sync daemons are left alone)");
        }
        if (config.getEcmp().isEnabled()) {
            var e = config.getEcmp();
            out.println("ecmp: VIPs in " + e.buildRanges() + " announced on " + e.getInterfaceName() + ", BIRD at "
                    + e.getBirdSocket());
        } else {
            out.println("ecmp: off");
        }
    }

    /** One line per connector; an https one's key store is opened as Jetty will open it. */
    private static void checkConnectors(String which, List<ConnectorFactory> connectors, java.io.PrintStream out)
            throws Exception {
        for (ConnectorFactory c : connectors) {
            if (!(c instanceof HttpConnectorFactory http)) {
                out.println(which + ": " + c.getClass().getSimpleName());
                continue;
            }
            String where = (http.getBindHost() == null ? "*" : http.getBindHost()) + ":" + http.getPort();
            if (c instanceof HttpsConnectorFactory https) {
                out.println(which + ": https on " + where + ", " + keyStore(which, https));
            } else {
                out.println(which + ": http on " + where);
            }
        }
    }

    /** Opens the key store and describes its key's certificate; throws naming the file, never the password. */
    static String keyStore(String which, HttpsConnectorFactory https) throws Exception {
        String path = https.getKeyStorePath();
        if (path == null) {
            throw new IllegalArgumentException(which + " https connector: keyStorePath is required");
        }
        KeyStore ks;
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            ks = https.getKeyStoreProvider() == null ? KeyStore.getInstance(https.getKeyStoreType())
                    : KeyStore.getInstance(https.getKeyStoreType(), https.getKeyStoreProvider());
            char[] password = https.getKeyStorePassword() == null ? null : https.getKeyStorePassword().toCharArray();
            ks.load(in, password);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(which + " https connector: key store " + path + " does not exist");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IllegalArgumentException(which + " https connector: key store " + path + " is not readable");
        } catch (java.io.IOException e) {
            // Wrong password or not a key store of that type: the JDK says which in its message.
            throw new IllegalArgumentException(which + " https connector: cannot open key store " + path + " as "
                    + https.getKeyStoreType() + " with keyStorePassword: " + e.getMessage());
        }
        String alias = https.getCertAlias();
        if (alias == null) {
            alias = Collections.list(ks.aliases()).stream().filter(a -> isKey(ks, a)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(which + " https connector: key store " + path
                            + " holds no private key"));
        } else if (!isKey(ks, alias)) {
            throw new IllegalArgumentException(which + " https connector: key store " + path
                    + " has no private key under certAlias " + alias);
        }
        String desc = https.getKeyStoreType() + " " + path;
        if (ks.getCertificate(alias) instanceof X509Certificate x) {
            desc += ", certificate " + x.getSubjectX500Principal().getName() + " valid until " + x.getNotAfter()
                    .toInstant();
        }
        return desc;
    }

    private static boolean isKey(KeyStore ks, String alias) {
        try {
            return ks.isKeyEntry(alias);
        } catch (java.security.KeyStoreException e) {
            return false;
        }
    }

    @Override
    public void onError(Cli cli, Namespace namespace, Throwable e) {
        cli.getStdErr().println("invalid: " + e.getMessage());
    }
}
