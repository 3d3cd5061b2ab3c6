package io.lvsdirector.api.errors;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The 400 for a body that is not JSON, in plain words with where it went wrong: {@code {"code": 400,
 * "message": "the body is not valid JSON: unexpected character '}': expected a value at line 1, column 10",
 * "field": "vip"}}. Jackson's own messages carry its internals ("Source: REDACTED
 * (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)", "(code 125)", feature and class names), so
 * the known kinds are reworded and anything else gets a generic message; Jackson's text never reaches
 * the client.
 */
public final class JsonErrors {

    static final String PREFIX = "the body is not valid JSON: ";
    private static final Pattern UNEXPECTED = Pattern.compile("^Unexpected character \\('(.{1,8}?)' \\(code \\d+\\)\\)");
    private static final Pattern UNRECOGNIZED = Pattern.compile("^Unrecognized token '([^']{0,40})");
    private static final Pattern DUPLICATE = Pattern.compile("^Duplicate field '([^']{0,100})'");

    private JsonErrors() {
    }

    public static ApiError badJson(JsonProcessingException e) {
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines().findFirst().orElse("");
        String field = null;
        String what;
        Matcher m;
        if (e instanceof JsonEOFException) {
            what = "the JSON ends before it is complete (an object, array or string is not closed)";
        } else if (e instanceof MismatchedInputException && original.startsWith("Trailing token")) {
            what = "more than one JSON value in the body";
        } else if ((m = DUPLICATE.matcher(original)).find()) {
            what = "duplicate field '" + m.group(1) + "'";
            field = path(e);
        } else if ((m = UNEXPECTED.matcher(original)).find()) {
            String expected = original.substring(m.end()).replaceFirst("^:\\s*", "")
                    .replaceAll("\\s*\\(.*\\)\\s*$", "").replace("was expecting", "expected")
                    .replace("a valid value", "a value").replace("`", "'");
            what = "unexpected character '" + m.group(1) + "'" + (expected.isBlank() ? "" : ": " + expected);
            field = path(e);
        } else if ((m = UNRECOGNIZED.matcher(original)).find()) {
            what = "unrecognised token '" + m.group(1) + "': expected a JSON value (true, false, null, a number,"
                    + " a string, an array or an object)";
            field = path(e);
        } else {
            what = "malformed JSON";
        }
        JsonLocation at = e.getLocation();
        if (at != null && at.getLineNr() > 0) {
            what += " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        }
        return ApiError.of(400, PREFIX + what, field);
    }

    /** Where the parser was, as the API names fields: {@code realServers.static[0].address}; null at the top. */
    static String path(JsonProcessingException e) {
        if (!(e.getProcessor() instanceof JsonParser p)) {
            return null;
        }
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext c = p.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.push("[" + Math.max(0, c.getCurrentIndex()) + "]");
            } else if (c.getCurrentName() != null) {
                parts.push("." + c.getCurrentName());
            }
        }
        String path = String.join("", parts);
        path = path.startsWith(".") ? path.substring(1) : path;
        return path.isEmpty() ? null : path;
    }
}
