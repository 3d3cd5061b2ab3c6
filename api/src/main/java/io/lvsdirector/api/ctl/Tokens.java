package io.lvsdirector.api.ctl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A client token file holds one token (the first line that is neither empty nor a {@code #} comment).
 * The token is checked against the server's token alphabet before it goes into a header, so a file
 * with the wrong content (the server's {@code ROLE NAME TOKEN} file, say) is a clear error and never
 * a malformed request.
 */
final class Tokens {

    /** The server's rule (TokenFile): 16-512 characters of [A-Za-z0-9._~+/=-]. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/=-]{16,512}");

    private Tokens() {
    }

    static String read(Path file) throws CtlException {
        String content;
        try {
            content = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw CtlException.usage("token file " + file + " does not exist");
        } catch (IOException e) {
            throw CtlException.usage("cannot read token file " + file + ": " + e.getMessage());
        }
        for (String line : content.split("\n")) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                if (l.contains(" ") || l.contains("\t")) {
                    throw CtlException.usage("token file " + file + " must hold just the token; its first line has"
                            + " spaces (the server's 'ROLE NAME TOKEN' file is not a client token file)");
                }
                return check(l, "token file " + file);
            }
        }
        throw CtlException.usage("token file " + file + " holds no token");
    }

    /** The token if it is well-formed; the message names {@code where} and never the token. */
    static String check(String token, String where) throws CtlException {
        if (!TOKEN.matcher(token).matches()) {
            throw CtlException.usage(where + ": not a token (16-512 characters of A-Z a-z 0-9 . _ ~ + / = -)");
        }
        return token;
    }
}
