package io.lvsdirector.api.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * {@code api:} limits of the REST API.
 *
 * <pre>
 * api:
 *   maxBodyBytes: 65536
 * </pre>
 */
public class ApiFactory {

    /**
     * The largest request body accepted; a larger one is refused with 413 before it is parsed. 64 KiB
     * holds a service with a few hundred static real servers; {@code POST /v1/plan} takes the same
     * limit per request.
     */
    @Min(1024)
    @Max(16 * 1024 * 1024)
    @JsonProperty
    private int maxBodyBytes = 65536;

    public int getMaxBodyBytes() {
        return maxBodyBytes;
    }

    public void setMaxBodyBytes(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }
}
