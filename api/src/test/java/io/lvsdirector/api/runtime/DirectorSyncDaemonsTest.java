package io.lvsdirector.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.api.TestDirector;
import io.lvsdirector.api.ha.HaStateFile;
import io.lvsdirector.core.ha.HaController;
import io.lvsdirector.core.ha.HaMeasurements;
import io.lvsdirector.core.ha.HaSettings;
import io.lvsdirector.ipvs.FakeIpvs;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/** Who reads the kernel's sync daemons on the loop's thread: the director without HA, the controller with it. */
class DirectorSyncDaemonsTest {

    @Test
    void withoutHaEveryPassReadsTheDaemonsOnceAndPublishesThem() {
        TestDirector t = new TestDirector();
        int before = t.ipvs.count(FakeIpvs.Call.DAEMONS);
        t.director.loop().runOnce();
        assertThat(t.ipvs.count(FakeIpvs.Call.DAEMONS)).isEqualTo(before + 1);
        assertThat(t.director.daemons()).isPresent();
    }

    @Test
    void withHaOnlyTheControllerReadsTheDaemons() {
        // What the controller alone reads in one pass, on a kernel of its own.
        FakeIpvs alone = new FakeIpvs();
        TestDirector scratch = new TestDirector();
        controller(scratch).reconcile(alone);
        int controllerReads = alone.count(FakeIpvs.Call.DAEMONS);
        assertThat(controllerReads).isPositive();

        TestDirector t = new TestDirector();
        HaController ha = controller(t);
        t.director.keepSyncDaemons(ha);
        int before = t.ipvs.count(FakeIpvs.Call.DAEMONS);
        t.director.loop().runOnce();
        // No second dump by the director's own reader.
        assertThat(t.ipvs.count(FakeIpvs.Call.DAEMONS)).isEqualTo(before + controllerReads);
        assertThat(t.director.daemons()).isEmpty();
        assertThat(ha.daemonView()).isNotNull();
    }

    private static HaController controller(TestDirector t) {
        return new HaController(HaSettings.of("eth0", 5), new HaStateFile(t.dir.resolve("ha.json")),
                HaMeasurements.NONE, Clock.systemUTC());
    }
}
