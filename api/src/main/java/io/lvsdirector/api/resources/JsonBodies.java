package io.lvsdirector.api.resources;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lvsdirector.api.errors.ApiError;
import io.lvsdirector.api.errors.ApiException;
import io.lvsdirector.api.errors.JsonErrors;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads a request body as JSON with a size limit that holds for chunked bodies too (the
 * {@code Content-Length} check in {@link BodySizeLimitFilter} catches declared sizes earlier).
 */
final class JsonBodies {

    // Duplicate keys are refused: {"port": 80, "port": 8080} must not quietly mean 8080.
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private JsonBodies() {
    }

    /**
     * @throws ApiException 413 past {@code limit} bytes, 400 for an empty body or one that is not JSON
     */
    static JsonNode read(InputStream in, int limit) {
        byte[] bytes;
        try {
            bytes = in == null ? new byte[0] : in.readNBytes(limit + 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes.length > limit) {
            throw new ApiException(413, "the request body is larger than " + limit + " bytes (api.maxBodyBytes)",
                    null);
        }
        if (bytes.length == 0) {
            throw ApiException.badRequest("a JSON body is required", null);
        }
        try {
            JsonNode node = MAPPER.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw ApiException.badRequest("a JSON body is required", null);
            }
            return node;
        } catch (JsonProcessingException e) {
            ApiError error = JsonErrors.badJson(e);
            throw new ApiException(error.code(), error.message(), error.field());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
