package io.lvsdirector.api;

import io.lvsdirector.api.auth.TokenFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Builds a {@link TokenFile} from lines through a real file, as the server reads it. */
public final class TokenFileAccess {

    private TokenFileAccess() {
    }

    public static TokenFile parse(List<String> lines) {
        try {
            Path f = Files.createTempFile("tokens", "");
            Files.write(f, lines);
            return TokenFile.load(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
