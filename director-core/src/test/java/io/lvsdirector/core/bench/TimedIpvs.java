package io.lvsdirector.core.bench;

import io.lvsdirector.ipvs.Ipvs;
import io.lvsdirector.ipvs.IpvsOp;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Wraps an {@link Ipvs} and notes when an op for each real server address last returned from the kernel. */
final class TimedIpvs {

    final Map<InetAddress, Long> appliedAt = new ConcurrentHashMap<>();
    // Start and end (System.nanoTime) of every table read, in order: which transitions waited for one.
    final List<long[]> reads = new CopyOnWriteArrayList<>();
    final Ipvs ipvs;

    TimedIpvs(Ipvs real) {
        this.ipvs = (Ipvs) Proxy.newProxyInstance(Ipvs.class.getClassLoader(), new Class<?>[] {Ipvs.class},
                (proxy, method, args) -> {
                    Object r;
                    long start = System.nanoTime();
                    try {
                        r = method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("snapshot")) {
                        reads.add(new long[] {start, System.nanoTime()});
                    }
                    if (method.getName().equals("apply")) {
                        long now = System.nanoTime();
                        for (Object o : (List<?>) args[0]) {
                            InetAddress a = address((IpvsOp) o);
                            if (a != null) {
                                appliedAt.put(a, now);
                            }
                        }
                        synchronized (this) {
                            notifyAll();
                        }
                    }
                    return r;
                });
    }

    /**
     * Waits until an apply returned or {@code nanos} passed. A waiting benchmark thread then takes
     * no CPU from the loop it measures, as a spinning one would on a busy 2-core machine.
     */
    synchronized void awaitApply(long nanos) throws InterruptedException {
        wait(Math.max(1, nanos / 1_000_000), (int) (nanos % 1_000_000));
    }

    private static InetAddress address(IpvsOp op) {
        if (op instanceof IpvsOp.AddRealServer a) {
            return a.realServer().key().address();
        }
        if (op instanceof IpvsOp.UpdateRealServer u) {
            return u.realServer().key().address();
        }
        if (op instanceof IpvsOp.DeleteRealServer d) {
            return d.realServer().address();
        }
        return null;
    }
}
