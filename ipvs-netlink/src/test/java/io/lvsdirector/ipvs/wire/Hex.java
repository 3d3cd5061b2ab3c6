package io.lvsdirector.ipvs.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Hex helpers for golden byte tests: whitespace and {@code |} in the text are ignored. */
final class Hex {
    private Hex() {
    }

    static byte[] bytes(String hex) {
        String h = hex.replaceAll("[\\s|]", "");
        if (h.length() % 2 != 0) {
            throw new IllegalArgumentException("odd number of hex digits: " + h.length());
        }
        byte[] out = new byte[h.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    static ByteBuffer buffer(String hex) {
        return ByteBuffer.wrap(bytes(hex)).order(ByteOrder.nativeOrder());
    }

    static String of(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i++) {
            if (i > 0 && i % 4 == 0) {
                sb.append(' ');
            }
            sb.append(String.format("%02x", b[i] & 0xFF));
        }
        return sb.toString();
    }
}
