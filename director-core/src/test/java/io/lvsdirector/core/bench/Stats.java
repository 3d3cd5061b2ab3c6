package io.lvsdirector.core.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Small helpers for the benchmark programs' figures. */
final class Stats {

    private Stats() {
    }

    /** The p-th percentile (0..100) of the values, nearest rank. */
    static double percentile(List<Double> values, double p) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        if (v.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * v.length);
        return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
    }

    /** This process's resident set size in MiB, from /proc/self/status. */
    static double rssMiB() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    /** This process's user and system CPU time in clock ticks (usually 1/100 s), from /proc/self/stat. */
    static long[] userSysTicks() throws Exception {
        return userSysTicks(Files.readString(Path.of("/proc/self/stat")));
    }

    /**
     * User and system CPU time in clock ticks from the text of a {@code /proc/PID[/task/TID]/stat} file
     * (fields 14 and 15, counted after the command name, which may hold spaces and parentheses).
     */
    static long[] userSysTicks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    }

    /** The command name in the text of a {@code /proc/PID[/task/TID]/stat} file. */
    static String command(String stat) {
        return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    }

    /** This process's CPU time (user + system) in nanoseconds. */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
