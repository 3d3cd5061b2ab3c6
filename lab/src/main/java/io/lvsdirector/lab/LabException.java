package io.lvsdirector.lab;

/** The lab itself failed (no IPVS kernel, a topology command failed): not a finding about the code under test. */
public final class LabException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
