package io.lvsdirector.api.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's {@code chromium}, headless, driven over the DevTools protocol on a pipe
 * ({@code --remote-debugging-pipe}: commands in on fd 3, answers out on fd 4, each JSON message ended
 * by a NUL byte). The pipe is this process's standard input and output, so no port is opened and the
 * browser can run in another network namespace ({@code ip netns exec NS}) while this JVM drives it.
 * Just what the status page tests need: open a page, type, evaluate JavaScript, take a screenshot.
 */
public final class HeadlessChromium implements AutoCloseable {

    /** The flags the tests run it with: no sandbox (root in the lab), no GPU, nothing fetched from outside. */
    public static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--mute-audio",
            "--window-size=1280,900", "--remote-debugging-pipe");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final OutputStream commands;
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final Thread reader;
    private String session;

    private final Path profile;

    private HeadlessChromium(Process process, Path profile) {
        this.process = process;
        this.profile = profile;
        this.commands = process.getOutputStream();
        this.reader = new Thread(this::read, "chromium-devtools");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code /usr/bin/chromium} with a fresh profile (a new directory under {@code /dev/shm}: in the
     * lab the build tree is the host's file system seen through hostfs, where a profile's databases and
     * memory maps do not belong), its log in {@code workDir/chromium.log}; {@code prefix} runs it elsewhere
     * (e.g. {@code ip netns exec dir1}).
     */
    public static HeadlessChromium start(List<String> prefix, Path workDir) throws IOException {
        Files.createDirectories(workDir);
        Path profile = Files.createTempDirectory(Path.of("/dev/shm"), "lvsd-chromium-");
        StringBuilder cmd = new StringBuilder("exec /usr/bin/chromium");
        for (String f : FLAGS) {
            cmd.append(' ').append(f);
        }
        cmd.append(" --user-data-dir=").append(profile);
        // fd 3 = our stdin, fd 4 = our stdout; chromium's own stdout goes to the log with its stderr.
        cmd.append(" 3<&0 4>&1 0</dev/null 1>&2 about:blank");
        List<String> argv = new ArrayList<>(prefix);
        argv.addAll(List.of("sh", "-c", cmd.toString()));
        ProcessBuilder pb = new ProcessBuilder(argv)
                .redirectError(ProcessBuilder.Redirect.appendTo(workDir.resolve("chromium.log").toFile()));
        return new HeadlessChromium(pb.start(), profile);
    }

    private void read() {
        try (InputStream in = process.getInputStream()) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                if (b != 0) {
                    buf.write(b);
                    continue;
                }
                JsonNode msg = JSON.readTree(buf.toString(StandardCharsets.UTF_8));
                buf.reset();
                if (msg.has("id")) {
                    CompletableFuture<JsonNode> f = pending.remove(msg.get("id").asInt());
                    if (f != null) {
                        f.complete(msg);
                    }
                }
            }
        } catch (IOException e) {
            // The browser went away: whoever waits times out with the command's name.
        }
    }

    /** One DevTools command, in the page's session once {@link #open} attached one; its {@code result}. */
    public JsonNode send(String method, Map<String, Object> params, Duration timeout) throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode msg = JSON.createObjectNode();
        msg.put("id", id);
        msg.put("method", method);
        msg.set("params", JSON.valueToTree(params));
        if (session != null && !method.startsWith("Target.") && !method.startsWith("Browser.")) {
            msg.put("sessionId", session);
        }
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        synchronized (commands) {
            commands.write(JSON.writeValueAsBytes(msg));
            commands.write(0);
            commands.flush();
        }
        JsonNode r;
        try {
            r = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("chromium did not answer " + method + " within " + timeout
                    + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")"));
        }
        if (r.has("error")) {
            throw new IllegalStateException(method + ": " + r.get("error"));
        }
        return r.path("result");
    }

    public JsonNode send(String method, Map<String, Object> params) throws Exception {
        return send(method, params, Duration.ofSeconds(60));
    }

    /**
     * Opens a tab, attaches to it, runs {@code onNewDocument} (may be null) in every document before its
     * own scripts, and navigates to {@code url}.
     */
    public void open(String url, String onNewDocument) throws Exception {
        // Chromium needs a moment to come up: its first answer may take long in the lab kernel.
        String target = send("Target.createTarget", Map.of("url", "about:blank"), Duration.ofSeconds(120))
                .path("targetId").asText();
        session = send("Target.attachToTarget", Map.of("targetId", target, "flatten", true)).path("sessionId").asText();
        send("Page.enable", Map.of());
        if (onNewDocument != null) {
            send("Page.addScriptToEvaluateOnNewDocument", Map.of("source", onNewDocument));
        }
        send("Page.navigate", Map.of("url", url));
    }

    /** The value of a JavaScript expression in the page (promises awaited). */
    public JsonNode eval(String expression) throws Exception {
        JsonNode r = send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
                "awaitPromise", true));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("page threw: " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    /** Types {@code text} into the focused element, as keystrokes would. */
    public void type(String text) throws Exception {
        send("Input.insertText", Map.of("text", text));
    }

    /** A PNG of the page as shown. */
    public void screenshot(Path file) throws Exception {
        String data = send("Page.captureScreenshot", Map.of("format", "png")).path("data").asText();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(data));
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                session = null;
                send("Browser.close", Map.of(), Duration.ofSeconds(10));
            }
        } catch (Exception e) {
            // Killed below.
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover profile in /dev/shm is harmless.
        }
    }
}
