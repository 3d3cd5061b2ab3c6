package io.lvsdirector.api.cli;

import io.dropwizard.jetty.HttpsConnectorFactory;

/** Test access to {@link CheckCommand}'s key store check. */
public final class CheckAccess {

    private CheckAccess() {}

    public static String keyStore(HttpsConnectorFactory https) throws Exception {
        return CheckCommand.keyStore("api", https);
    }
}
