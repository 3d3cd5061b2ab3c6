package io.lvsdirector.k8s;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the k8s-sync benchmarks share: heap after GC, percentiles, the report file. */
final class BenchFigures {

    private BenchFigures() {
    }

    /** Used heap after three GCs (100 ms apart, so finalisation and concurrent GC settle). */
    static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The nearest-rank {@code p}th percentile of nanosecond samples, in ms; 0 with no samples. */
    static double percentileMs(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    /** Writes the report to {@code target/bench/<file>}. */
    static void write(String file, String report) throws IOException {
        Path out = Path.of("target", "bench", file);
        Files.createDirectories(out.getParent());
        Files.writeString(out, report, StandardCharsets.UTF_8);
    }
}
