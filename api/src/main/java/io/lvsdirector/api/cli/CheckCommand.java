package io.lvsdirector.api.cli;

import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.lvsdirector.api.auth.TokenFile;
import io.lvsdirector.api.config.LvsDirectorConfiguration;
import io.lvsdirector.api.config.StateFactory;
import io.lvsdirector.api.runtime.DirectorBuilder;
import io.lvsdirector.api.state.FileServiceStore;
import io.lvsdirector.k8s.K8sSyncConfig;
import java.nio.file.Files;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * {@code lvs-director check CONFIG}: exits 0 if the config file is valid and the files it names can
 * be used, else prints the problem and exits 1. Touches neither the kernel nor the files (a missing
 * state file with {@code createIfMissing} is reported, not created). Ansible's
 * {@code template: validate: "lvs-director check %s"} runs it before installing a config.
 */
public final class CheckCommand extends ConfiguredCommand<LvsDirectorConfiguration> {

    public CheckCommand() {
        super("check", "Validates a configuration file and the token and state files it names");
    }

    @Override
    protected void run(Bootstrap<LvsDirectorConfiguration> bootstrap, Namespace namespace,
            LvsDirectorConfiguration config) throws Exception {
        var out = System.out;
        K8sSyncConfig k8s = config.getKubernetes().buildSyncConfig();
        out.println("config: ok");
        if (config.getAuth().isEnabled()) {
            TokenFile tokens = config.getAuth().buildTokens();
            out.println("tokens: " + tokens.size() + " in " + config.getAuth().getTokenFile());
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
        out.println("kubernetes: " + k8s.mode());
        if (config.getHa().isEnabled()) {
            var ha = config.getHa().buildSettings();
            out.println("ha: sync daemons on " + ha.syncInterface() + " syncid " + ha.syncId() + ", VRRP states in "
                    + config.getHa().getStateFile());
        } else {
            out.println("ha: off (the sync daemons are left alone)");
        }
    }

    @Override
    public void onError(Cli cli, Namespace namespace, Throwable e) {
        cli.getStdErr().println("invalid: " + e.getMessage());
    }
}
