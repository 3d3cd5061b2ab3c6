package io.lvsdirector.lab;

/** What a command run in the lab printed, and how it ended. */
public record ExecResult(String command, int exitCode, String stdout, String stderr) {

    public boolean ok() {
        return exitCode == 0;
    }

    /** Returns this result, or throws with the command's own words when it failed. */
    public ExecResult orThrow() {
        if (exitCode != 0) {
            throw new LabException("`" + command + "` exited " + exitCode + ": " + stderr.strip() + " " + stdout.strip());
        }
        return this;
    }
}
