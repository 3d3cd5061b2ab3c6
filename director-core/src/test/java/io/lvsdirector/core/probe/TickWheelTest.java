package io.lvsdirector.core.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TickWheelTest {

    private final DefaultEventLoopGroup group = new DefaultEventLoopGroup(1);
    private final EventLoop loop = group.next();
    private final TickWheel wheel = new TickWheel(loop);
    private final List<String> fired = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private <T> T on(Callable<T> c) throws Exception {
        return loop.submit(c).get(5, TimeUnit.SECONDS);
    }

    /** Records its name and the time it fired. */
    private final class Named extends TickWheel.Timer {
        final String name;
        volatile long deadline;
        volatile long firedAt;

        Named(String name) {
            this.name = name;
        }

        void arm(long delayMillis) {
            deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
            wheel.arm(this, deadline);
        }

        @Override
        void expire() {
            firedAt = System.nanoTime();
            fired.add(name);
        }
    }

    @Test
    void aTimerFiresOnceNeverEarlyAndAboutOnTime() throws Exception {
        Named t = new Named("t");
        on(() -> {
            t.arm(50);
            return null;
        });
        await().atMost(Duration.ofSeconds(3)).until(() -> !fired.isEmpty());
        Thread.sleep(100);
        assertThat(fired).containsExactly("t");
        assertThat(t.firedAt).isGreaterThanOrEqualTo(t.deadline);
        // A tick late at most, plus a loaded machine's lateness.
        assertThat(t.firedAt - t.deadline).isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
    }

    @Test
    void aDisarmedTimerDoesNotFireAndAReArmedOneFiresOnlyAtItsNewDeadline() throws Exception {
        Named off = new Named("off");
        Named moved = new Named("moved");
        on(() -> {
            off.arm(30);
            TickWheel.disarm(off);
            moved.arm(30);
            moved.arm(200);
            return null;
        });
        await().atMost(Duration.ofSeconds(3)).until(() -> !fired.isEmpty());
        Thread.sleep(100);
        assertThat(fired).containsExactly("moved");
        assertThat(moved.firedAt).isGreaterThanOrEqualTo(moved.deadline);
        // Nothing is left behind in a slot.
        assertThat(on(wheel::entries)).isZero();
    }

    @Test
    void timersDisarmedBeforeTheirTickCostNoWakeUp() throws Exception {
        // As probes answered before their timeout: the wheel must not wake for the slots they leave.
        Named last = new Named("last");
        on(() -> {
            for (int i = 0; i < 100; i++) {
                Named t = new Named("t" + i);
                t.arm(40 + i % 5);
                TickWheel.disarm(t);
            }
            last.arm(150);
            return null;
        });
        await().atMost(Duration.ofSeconds(3)).until(() -> !fired.isEmpty());
        assertThat(fired).containsExactly("last");
        // One turn for the live timer (a second at most, if the loop woke a little early).
        assertThat(on(wheel::turns)).isBetween(1L, 2L);
        assertThat(on(wheel::entries)).isZero();
    }

    @Test
    void aDisarmedTimerLeavesItsSlotAtOnceAndTheOthersOfTheSlotStillFire() throws Exception {
        // Probes that answered disarm their timeouts; the slot must not hold them until it comes round
        // (each would be loaded again, long cold, to be skipped), and taking one out of the middle
        // moves the slot's last timer into its place, which must still fire.
        List<Named> timers = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            timers.add(new Named("t" + i));
        }
        int held = on(() -> {
            for (Named t : timers) {
                t.arm(100);
            }
            TickWheel.disarm(timers.get(0));
            TickWheel.disarm(timers.get(4));
            TickWheel.disarm(timers.get(9));
            TickWheel.disarm(timers.get(4)); // twice: nothing more
            return wheel.entries();
        });
        assertThat(held).isEqualTo(7);
        await().atMost(Duration.ofSeconds(3)).until(() -> fired.size() >= 7);
        Thread.sleep(50);
        assertThat(fired).containsExactlyInAnyOrder("t1", "t2", "t3", "t5", "t6", "t7", "t8");
        assertThat(on(wheel::entries)).isZero();
    }

    @Test
    void aDeadlineBeyondOneRoundWaitsForItsRound() throws Exception {
        Named far = new Named("far");
        Named near = new Named("near");
        on(() -> {
            far.arm(3_000); // more than the wheel's 2.048 s round
            near.arm(10);
            return null;
        });
        await().atMost(Duration.ofSeconds(2)).until(() -> fired.contains("near"));
        Thread.sleep(2_700); // past the slot's first turn, which must keep it
        assertThat(fired).containsExactly("near");
        await().atMost(Duration.ofSeconds(3)).until(() -> fired.contains("far"));
        assertThat(far.firedAt).isGreaterThanOrEqualTo(far.deadline);
    }

    @Test
    void aTimerArmedFromACallbackForNowFiresOnTheNextTick() throws Exception {
        Named second = new Named("second");
        TickWheel.Timer first = new TickWheel.Timer() {
            @Override
            void expire() {
                fired.add("first");
                wheel.arm(second, System.nanoTime() - 1_000_000); // already due
            }
        };
        on(() -> {
            wheel.arm(first, System.nanoTime() + 20_000_000);
            return null;
        });
        await().atMost(Duration.ofSeconds(3)).until(() -> fired.size() == 2);
        assertThat(fired).containsExactly("first", "second");
    }

    @Test
    void manyTimersAllFireInDeadlineOrderByTick() throws Exception {
        int n = 2_000;
        Named[] timers = new Named[n];
        on(() -> {
            for (int i = 0; i < n; i++) {
                timers[i] = new Named("t" + i);
                timers[i].arm(i % 400);
            }
            return null;
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> fired.size() == n);
        for (Named t : timers) {
            assertThat(t.firedAt).isGreaterThanOrEqualTo(t.deadline);
        }
    }

    @Test
    void aCrowdDueAtOnceFiresInBatchesWithTheLoopsOtherWorkInBetween() throws Exception {
        int n = 5 * TickWheel.BATCH;
        List<Named> timers = new java.util.ArrayList<>();
        TickWheel.Timer first = new TickWheel.Timer() {
            @Override
            void expire() {
                // Stands for the loop's I/O: queued now, it must not wait for all the others.
                loop.execute(() -> fired.add("other work"));
            }
        };
        on(() -> {
            long deadline = System.nanoTime() + 20_000_000;
            wheel.arm(first, deadline);
            for (int i = 0; i < n; i++) {
                Named t = new Named("t" + i);
                t.deadline = deadline;
                wheel.arm(t, deadline);
                timers.add(t);
            }
            return null;
        });
        await().atMost(Duration.ofSeconds(3)).until(() -> fired.size() == n + 1);
        assertThat(fired.indexOf("other work")).isBetween(1, TickWheel.BATCH);
        for (Named t : timers) {
            assertThat(t.firedAt).isGreaterThanOrEqualTo(t.deadline);
        }
    }

    @Test
    void onAnIoLoopTheClockIsReadOncePerIterationAndAfreshInTheNext() throws Exception {
        NioEventLoopGroup io = new NioEventLoopGroup(1);
        try {
            EventLoop ioLoop = io.next();
            TickWheel w = ioLoop.submit(() -> new TickWheel(ioLoop)).get(5, TimeUnit.SECONDS);
            CompletableFuture<long[]> seen = new CompletableFuture<>();
            ioLoop.execute(() -> {
                long first = w.now();
                sleepMillis(20);
                long again = w.now();
                // A later iteration: a scheduled task is not due in this one, so the loop ends this
                // iteration (and forgets its clock) and wakes for it.
                ioLoop.schedule(() -> {
                    long next = w.now();
                    sleepMillis(20);
                    seen.complete(new long[] {first, again, next, w.now()});
                }, 5, TimeUnit.MILLISECONDS);
            });
            long[] t = seen.get(5, TimeUnit.SECONDS);
            assertThat(t[1]).as("same iteration: the clock as first read").isEqualTo(t[0]);
            assertThat(t[2] - t[0]).as("next iteration: read again").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
            assertThat(t[3]).isEqualTo(t[2]);
        } finally {
            io.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void onALoopWithoutIterationEndsTheClockIsReadEachTime() throws Exception {
        long[] t = on(() -> {
            long first = wheel.now();
            sleepMillis(20);
            return new long[] {first, wheel.now()};
        });
        assertThat(t[1] - t[0]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
    }

    private static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
