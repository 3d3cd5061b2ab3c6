package io.lvsdirector.api.ha;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lvsdirector.api.state.FileServiceStore;
import io.lvsdirector.core.ha.HaController;
import io.lvsdirector.core.ha.HaStore;
import io.lvsdirector.core.ha.InstanceState;
import io.lvsdirector.core.ha.VrrpState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The VRRP states in a small JSON file ({@code ha.stateFile}), replaced atomically on every change:
 *
 * <pre>
 * {"instances": {"VI_1": {"state": "MASTER", "priority": 150, "since": "2026-11-23T20:00:00Z"}}}
 * </pre>
 *
 * A missing file is an empty map (first start, or after a reboot cleared {@code /run}).
 */
public final class HaStateFile implements HaStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;

    public HaStateFile(Path file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    public Path file() {
        return file;
    }

    @Override
    public Map<String, InstanceState> load() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Map.of();
        }
        try {
            JsonNode root = JSON.readTree(bytes);
            JsonNode list = root == null ? null : root.get("instances");
            if (list == null || !list.isObject()) {
                throw new IOException(file + ": no \"instances\" object");
            }
            Map<String, InstanceState> out = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = list.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!HaController.INSTANCE_NAME.matcher(e.getKey()).matches()) {
                    throw new IOException(file + ": bad instance name '" + e.getKey() + "'");
                }
                JsonNode v = e.getValue();
                JsonNode p = v.get("priority");
                out.put(e.getKey(), new InstanceState(VrrpState.parse(v.path("state").asText(null)),
                        p == null || p.isNull() ? null : p.intValue(), Instant.parse(v.path("since").asText())));
            }
            return out;
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void save(Map<String, InstanceState> instances) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode list = root.putObject("instances");
        new TreeMap<>(instances).forEach((name, s) -> {
            ObjectNode o = list.putObject(name);
            o.put("state", s.state().name());
            if (s.priority() == null) {
                o.putNull("priority");
            } else {
                o.put("priority", s.priority());
            }
            o.put("since", s.since().toString());
        });
        FileServiceStore.writeAtomically(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }
}
