package io.lvsdirector.api.ctl;

/**
 * Why a {@code ctl} command stopped, with the exit status it ends with ({@link Ctl#REFUSED},
 * {@link Ctl#USAGE}, {@link Ctl#UNREACHABLE}, {@link Ctl#UNAUTHORIZED}). The message is printed as it
 * is, on one line: the operator reads it, so it says what failed and what to do, never a stack trace.
 */
final class CtlException extends Exception {

    private final int exitCode;

    CtlException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    static CtlException usage(String message) {
        return new CtlException(Ctl.USAGE, message);
    }

    int exitCode() {
        return exitCode;
    }
}
