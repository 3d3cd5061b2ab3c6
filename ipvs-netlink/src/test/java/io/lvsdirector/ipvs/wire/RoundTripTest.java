package io.lvsdirector.ipvs.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.ipvs.IpvsInfo;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.RealServer;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.Stats;
import io.lvsdirector.ipvs.SyncDaemon;
import io.lvsdirector.ipvs.Timeouts;
import io.lvsdirector.ipvs.VirtualServer;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerStatus;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Seeded random records through the codec and back: what goes in comes out. Host byte order. */
class RoundTripTest {

    private static final int N = 2_000;

    @ParameterizedTest
    @ValueSource(longs = {1, 42, 20261123})
    void serviceReplies(long seed) {
        Gen g = new Gen(seed);
        for (int i = 0; i < N; i++) {
            VirtualServerStatus s = g.serviceStatus();
            assertThat(IpvsCodec.parseService(wrap(IpvsCodec.serviceReply(s)))).as("#%d", i).isEqualTo(s);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {2, 43, 20261124})
    void realServerReplies(long seed) {
        Gen g = new Gen(seed);
        for (int i = 0; i < N; i++) {
            RealServerStatus r = g.realServerStatus();
            assertThat(IpvsCodec.parseRealServer(wrap(IpvsCodec.realServerReply(r)), null)).as("#%d", i).isEqualTo(r);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {3, 44})
    void serviceRequestsCarryTheWholeSpec(long seed) {
        Gen g = new Gen(seed);
        for (int i = 0; i < N; i++) {
            VirtualServer vs = g.virtualServer();
            IpvsRequest req = g.random().nextBoolean() ? IpvsCodec.addService(vs) : IpvsCodec.updateService(vs);
            Attributes top = top(req.toMessage(0x1c, i, 0));
            ServiceAttrs read = ServiceAttrs.read(top.nested(IpvsConstants.IPVS_CMD_ATTR_SERVICE,
                    IpvsConstants.IPVS_SVC_ATTR_STATS64, "svc"));
            // Re-encoding what was read gives the same bytes ...
            AttrWriter w = new AttrWriter();
            read.writeTo(w);
            assertThat(w.toByteArray()).isEqualTo(req.attributes());
            // ... and what was read means the same service.
            VirtualServerStatus back = WireMapping.service(read);
            assertThat(back.virtualServer()).as("#%d", i).isEqualTo(vs);
            assertThat(back.stats()).isEqualTo(Stats.ZERO);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {4, 45})
    void realServerRequestsCarryTheWholeSpec(long seed) {
        Gen g = new Gen(seed);
        for (int i = 0; i < N; i++) {
            VirtualServerKey svc = g.serviceKey();
            RealServer rs = g.realServer(svc.family());
            IpvsOp op = g.random().nextBoolean() ? new IpvsOp.AddRealServer(svc, rs) : new IpvsOp.UpdateRealServer(svc, rs);
            Attributes top = top(IpvsCodec.request(op).toMessage(0x1c, i, 0));
            ServiceAttrs sid = ServiceAttrs.read(top.nested(IpvsConstants.IPVS_CMD_ATTR_SERVICE,
                    IpvsConstants.IPVS_SVC_ATTR_STATS64, "svc"));
            assertThat(sid.schedName()).isNull(); // identity only
            assertThat(WireMapping.serviceIdentity(svc).af()).isEqualTo(sid.af());
            DestAttrs d = DestAttrs.read(top.nested(IpvsConstants.IPVS_CMD_ATTR_DEST,
                    IpvsConstants.IPVS_DEST_ATTR_TUN_FLAGS, "dest"));
            RealServerStatus back = WireMapping.dest(d, null);
            assertThat(back.realServer()).as("#%d", i).isEqualTo(rs);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {5, 46})
    void daemonsInfoAndTimeouts(long seed) {
        Gen g = new Gen(seed);
        Random r = g.random();
        for (int i = 0; i < N; i++) {
            SyncDaemon d = g.daemon();
            assertThat(IpvsCodec.parseDaemon(wrap(IpvsCodec.daemonReply(d)))).isEqualTo(d);
            // The request leaves out defaults but keeps everything else.
            DaemonAttrs sent = DaemonAttrs.read(top(IpvsCodec.startDaemon(d).toMessage(0x1c, i, 0))
                    .nested(IpvsConstants.IPVS_CMD_ATTR_DAEMON, IpvsConstants.IPVS_DAEMON_ATTR_MCAST_TTL, "d"));
            assertThat(WireMapping.daemon(sent)).isEqualTo(d);
            IpvsInfo info = new IpvsInfo(r.nextInt(), r.nextInt());
            assertThat(IpvsCodec.parseInfo(wrap(IpvsCodec.infoReply(info)))).isEqualTo(info);
            Timeouts t = new Timeouts(r.nextInt(Integer.MAX_VALUE), r.nextInt(Integer.MAX_VALUE), r.nextInt(Integer.MAX_VALUE));
            assertThat(IpvsCodec.parseTimeouts(wrap(IpvsCodec.timeoutsReply(t)))).isEqualTo(t);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {6, 47})
    void framesAndErrors(long seed) {
        Random r = new Random(seed);
        for (int i = 0; i < N; i++) {
            int count = 1 + r.nextInt(5);
            List<byte[]> payloads = new ArrayList<>();
            ByteBuffer datagram = ByteBuffer.allocate(count * 300).order(ByteOrder.nativeOrder());
            for (int k = 0; k < count; k++) {
                byte[] p = new byte[r.nextInt(200)];
                r.nextBytes(p);
                payloads.add(p);
                datagram.put(NetlinkCodec.frame(0x10 + r.nextInt(0xFFEF), r.nextInt(0x10000), i, k, p));
            }
            datagram.flip();
            List<NetlinkCodec.Frame> frames = NetlinkCodec.split(datagram);
            assertThat(frames).hasSize(count);
            for (int k = 0; k < count; k++) {
                ByteBuffer p = frames.get(k).payload();
                byte[] got = new byte[p.remaining()];
                p.get(got);
                assertThat(got).isEqualTo(payloads.get(k));
                assertThat(frames.get(k).portId()).isEqualTo(k);
            }
            int errno = r.nextInt(4096);
            String text = r.nextBoolean() ? "" : "msg" + r.nextInt();
            boolean capped = r.nextBoolean();
            byte[] request = IpvsCodec.dumpServices().toMessage(0x1c, i, 0);
            byte[] err = NetlinkCodec.errorPayload(errno, request, capped, text);
            int flags = (capped ? NetlinkConstants.NLM_F_CAPPED : 0) | (text.isEmpty() ? 0 : NetlinkConstants.NLM_F_ACK_TLVS);
            NetlinkCodec.NetlinkError e = NetlinkCodec.parseError(wrap(err), flags);
            assertThat(e).isEqualTo(new NetlinkCodec.NetlinkError(errno, 0x1c, i, text, -1));
        }
    }

    static ByteBuffer wrap(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
    }

    static Attributes top(byte[] msg) {
        NetlinkCodec.Frame f = NetlinkCodec.split(wrap(msg)).get(0);
        ByteBuffer p = f.payload();
        p.position(p.position() + NetlinkConstants.GENL_HDRLEN);
        return Attributes.parse(p, IpvsConstants.IPVS_CMD_ATTR_TIMEOUT_UDP, "top");
    }
}
