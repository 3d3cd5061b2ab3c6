package io.lvsdirector.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.lvsdirector.core.model.Quorum;
import io.lvsdirector.core.model.RealServerLimits;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.spec.SchemaFields;
import io.lvsdirector.spec.ServiceSpecJson;
import io.lvsdirector.spec.SpecFields;
import io.lvsdirector.spec.SpecValidationException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The shipped manifests parse, and the CRD's schema names exactly the fields the mapper knows. */
class ManifestsTest {

    private static List<HasMetadata> load(String file) throws Exception {
        try (InputStream in = Files.newInputStream(Path.of("manifests", file))) {
            Object o = new KubernetesSerialization().unmarshal(in);
            if (o instanceof List<?> list) {
                return list.stream().map(HasMetadata.class::cast).toList();
            }
            return List.of((HasMetadata) o);
        }
    }

    private static CustomResourceDefinition crd() throws Exception {
        List<HasMetadata> docs = load("crd-lvsservice.yaml");
        assertThat(docs).hasSize(1);
        return (CustomResourceDefinition) docs.get(0);
    }

    @Test
    void crdNamesTheResourceTheStoreWatches() throws Exception {
        CustomResourceDefinition crd = crd();
        assertThat(crd.getMetadata().getName()).isEqualTo(LvsServiceStore.PLURAL + "." + LvsServiceStore.GROUP);
        assertThat(crd.getSpec().getGroup()).isEqualTo(LvsServiceStore.GROUP);
        assertThat(crd.getSpec().getNames().getKind()).isEqualTo(LvsServiceStore.KIND);
        assertThat(crd.getSpec().getNames().getPlural()).isEqualTo(LvsServiceStore.PLURAL);
        assertThat(crd.getSpec().getScope()).isEqualTo(LvsServiceStore.CONTEXT.isNamespaceScoped() ? "Namespaced" : "Cluster");
        assertThat(crd.getSpec().getVersions()).hasSize(1);
        CustomResourceDefinitionVersion v = crd.getSpec().getVersions().get(0);
        assertThat(v.getName()).isEqualTo(LvsServiceStore.VERSION);
        assertThat(v.getServed()).isTrue();
        assertThat(v.getStorage()).isTrue();
        assertThat(v.getSubresources().getStatus()).isNotNull();
    }

    @Test
    void addressPoolCrdNamesTheResourceTheControllerWatchesAndDeclaresWhatItReads() throws Exception {
        List<HasMetadata> docs = load("crd-lvsaddresspool.yaml");
        assertThat(docs).hasSize(1);
        CustomResourceDefinition crd = (CustomResourceDefinition) docs.get(0);
        var ctx = io.lvsdirector.k8s.lb.LoadBalancerController.POOL_CONTEXT;
        assertThat(crd.getMetadata().getName()).isEqualTo(ctx.getPlural() + "." + ctx.getGroup());
        assertThat(crd.getSpec().getNames().getKind()).isEqualTo(ctx.getKind());
        assertThat(crd.getSpec().getScope()).isEqualTo("Cluster");
        assertThat(ctx.isNamespaceScoped()).isFalse();
        CustomResourceDefinitionVersion v = crd.getSpec().getVersions().get(0);
        assertThat(v.getName()).isEqualTo(ctx.getVersion());
        // No status: the allocation is recorded on each Service.
        assertThat(v.getSubresources()).isNull();
        JSONSchemaProps spec = v.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        assertThat(spec.getProperties()).containsOnlyKeys("addresses", "autoAssign");
        assertThat(spec.getRequired()).containsExactly("addresses");

        // An object as the schema allows it reads as the pool it says.
        var r = new io.fabric8.kubernetes.api.model.GenericKubernetesResource();
        r.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("edge").build());
        r.setAdditionalProperty("spec", Map.of("addresses", List.of("198.18.0.8/30", "2001:db8::1-2001:db8::2")));
        var pool = io.lvsdirector.k8s.lb.LoadBalancerController.poolOf(r);
        assertThat(pool.autoAssign()).isTrue();
        assertThat(pool.ranges()).hasSize(2);
    }

    @Test
    void schemaFieldsMatchTheMapper() throws Exception {
        JSONSchemaProps spec = crd().getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema()
                .getProperties().get("spec");
        assertThat(spec.getRequired()).containsExactlyInAnyOrder("vip", "port", "realServers");
        Set<String> schedulers = spec.getProperties().get("scheduler").getEnum().stream()
                .map(j -> j.toString().replace("\"", "")).collect(Collectors.toSet());
        assertThat(schedulers).isEqualTo(ServiceSpecJson.KERNEL_SCHEDULERS);
        Set<String> forwarding = spec.getProperties().get("forwarding").getEnum().stream()
                .map(j -> j.toString().replace("\"", "")).collect(Collectors.toSet());
        assertThat(forwarding).containsExactlyInAnyOrder("dr", "tun", "nat");
        // Every flag name the schema allows is one the mapper parses.
        spec.getProperties().get("schedulerFlags").getItems().getSchema().getEnum().forEach(j ->
                ServiceSpecJson.parseFlag(j.toString().replace("\"", "")));
    }

    /**
     * The spec schema declares, at every depth, exactly the fields of the parser's catalogue
     * ({@link SpecFields}): a field the parser reads but the schema lacks would be pruned by the
     * API server before any director saw it; one the schema has but the parser lacks is refused by
     * every director. whenAllDown is a string or an object, which a structural schema cannot say,
     * so it alone is left to the parser (preserve-unknown-fields); nothing else may be.
     */
    @Test
    void specSchemaDeclaresTheCatalogueAtEveryDepth() throws Exception {
        JsonNode spec = new KubernetesSerialization().convertValue(specSchema(), JsonNode.class);
        SchemaFields.Declared declared = SchemaFields.of(spec);
        Set<String> opaqueObjects = new TreeSet<>(declared.opaque());
        opaqueObjects.retainAll(SpecFields.OBJECTS.keySet());
        assertThat(opaqueObjects).containsExactly("whenAllDown");
        Set<String> expected = SpecFields.paths().stream()
                .filter(p -> opaqueObjects.stream().noneMatch(o -> p.startsWith(o + ".")))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(declared.paths()).as("CRD spec fields vs SpecFields.paths()").containsExactlyInAnyOrderElementsOf(expected);
    }

    /** Every field the directors write into status is one the schema declares (a structural schema prunes the rest). */
    @Test
    void statusSchemaDeclaresWhatTheDirectorsWrite() throws Exception {
        JSONSchemaProps status = crd().getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema()
                .getProperties().get("status");
        ObjectNode written = LvsStatus.withReport(new ObjectMapper().createObjectNode(),
                new DirectorReport("lvs-a", 1, true, DirectorReport.APPLIED, "", Instant.now()), 1, null, Instant.now());
        LvsStatus.setLastValidSpec(written, 1, new ObjectMapper().createObjectNode());
        written.putArray("drains").addObject().put("address", "10.0.0.1").put("since", Instant.now().toString());
        Set<String> top = new java.util.TreeSet<>();
        written.fieldNames().forEachRemaining(top::add);
        assertThat(status.getProperties().keySet()).containsAll(top);
        for (String list : List.of("conditions", "directors", "drains")) {
            JSONSchemaProps items = status.getProperties().get(list).getItems().getSchema();
            Set<String> fields = new java.util.TreeSet<>();
            written.get(list).get(0).fieldNames().forEachRemaining(fields::add);
            assertThat(items.getProperties().keySet()).as(list).containsAll(fields);
            // A list of objects keyed by one field: each director's entry is addressed by its key.
            assertThat(status.getProperties().get(list).getXKubernetesListType()).as(list).isEqualTo("map");
            assertThat(items.getRequired()).as(list)
                    .containsAll(status.getProperties().get(list).getXKubernetesListMapKeys());
        }
        assertThat(status.getProperties().get("directors").getXKubernetesListMapKeys()).containsExactly("name");
        assertThat(status.getProperties().get("conditions").getXKubernetesListMapKeys()).containsExactly("type");
        assertThat(status.getProperties().get("directors").getItems().getSchema().getProperties().get("reason")
                .getEnum().stream().map(j -> j.toString().replace("\"", "")).toList())
                .containsExactlyInAnyOrder(DirectorReport.APPLIED, DirectorReport.APPLY_FAILED,
                        DirectorReport.NOT_IN_KERNEL, DirectorReport.INVALID_SPEC);
    }

    private static JSONSchemaProps specSchema() throws Exception {
        return crd().getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    }

    private static final ServiceSpecJson MAPPER = new ServiceSpecJson();

    /** The field the mapper blames for a spec (single quotes for readability), or null if it accepts it. */
    private static String refusedField(String q) {
        try {
            MAPPER.fromRequest("web", q.replace('\'', '"'));
            return null;
        } catch (SpecValidationException e) {
            return e.field();
        }
    }

    @Test
    void schemaLimitsAreTheMappersLimits() throws Exception {
        JSONSchemaProps spec = specSchema();
        // field -> a spec with %d where the value goes (other fields set so that only this one can fail)
        Map<String, String> probes = Map.of(
                "port", "{'vip':'198.18.0.100','port':%d,'realServers':{'static':[]}}",
                "persistenceSeconds", "{'vip':'198.18.0.100','port':80,'persistenceSeconds':%d,'realServers':{'static':[]}}",
                "persistenceNetmask", "{'vip':'2001:db8::1','port':80,'persistenceSeconds':60,'persistenceNetmask':%d,"
                        + "'realServers':{'static':[]}}",
                "drainTimeoutSeconds", "{'vip':'198.18.0.100','port':80,'drainTimeoutSeconds':%d,'realServers':{'static':[]}}",
                "minHealthy", "{'vip':'198.18.0.100','port':80,'minHealthy':%d,'realServers':{'static':[]}}",
                "minHealthyHysteresis", "{'vip':'198.18.0.100','port':80,'minHealthyHysteresis':%d,"
                        + "'realServers':{'static':[]}}");
        for (Map.Entry<String, String> p : probes.entrySet()) {
            JSONSchemaProps f = spec.getProperties().get(p.getKey());
            long max = f.getMaximum().longValue();
            long min = f.getMinimum().longValue();
            assertThat(refusedField(String.format(p.getValue(), max))).as(p.getKey() + " at its maximum").isNull();
            assertThat(refusedField(String.format(p.getValue(), min))).as(p.getKey() + " at its minimum").isNull();
            assertThat(refusedField(String.format(p.getValue(), max + 1))).as(p.getKey() + " above").isEqualTo(p.getKey());
            assertThat(refusedField(String.format(p.getValue(), min - 1))).as(p.getKey() + " below").isEqualTo(p.getKey());
        }
        assertThat(spec.getProperties().get("persistenceSeconds").getMaximum().intValue())
                .isEqualTo(ServiceSpecJson.MAX_PERSISTENCE_SECONDS);
        for (JSONSchemaProps limit : spec.getProperties().get("realServerLimits").getProperties().values()) {
            assertThat(limit.getMinimum().longValue()).isZero();
            assertThat(limit.getMaximum().longValue()).isEqualTo(RealServerLimits.MAX_SPEC);
        }
        JSONSchemaProps adopt = spec.getProperties().get("adopt");
        assertThat(adopt.getType()).isEqualTo("boolean");
        assertThat(adopt.getDefault().asBoolean()).isFalse();
        // The defaults are the parser's: a resource without them behaves as before they existed.
        assertThat(spec.getProperties().get("minHealthy").getDefault().asInt()).isEqualTo(Quorum.DEFAULT.minHealthy());
        assertThat(spec.getProperties().get("minHealthyHysteresis").getDefault().asInt())
                .isEqualTo(Quorum.DEFAULT.hysteresis());
    }

    /**
     * Each CEL rule of the spec, by its message, with a spec it refuses and one it lets through:
     * the mapper must refuse the first on the rule's field and accept the second. No evaluator of
     * Kubernetes' CEL is available offline, so the rules themselves are not run here; a rule
     * added without a twin in this table fails the test.
     */
    @Test
    void everyCelRuleHasItsTwinInTheMapper() throws Exception {
        record Twin(String message, String refused, String accepted) {}
        List<Twin> twins = List.of(
                new Twin("persistenceNetmask only means something",
                        "{'vip':'198.18.0.100','port':80,'persistenceNetmask':24,'realServers':{'static':[]}}",
                        "{'vip':'198.18.0.100','port':80,'persistenceSeconds':5,'persistenceNetmask':24,'realServers':{'static':[]}}"),
                new Twin("persistenceNetmask is a prefix length of at most 32",
                        "{'vip':'198.18.0.100','port':80,'persistenceSeconds':5,'persistenceNetmask':33,'realServers':{'static':[]}}",
                        "{'vip':'2001:db8::1','port':80,'persistenceSeconds':5,'persistenceNetmask':33,'realServers':{'static':[]}}"),
                new Twin("one-packet scheduling",
                        "{'vip':'198.18.0.100','port':80,'schedulerFlags':['ops'],'realServers':{'static':[]}}",
                        "{'vip':'198.18.0.100','port':80,'protocol':'udp','schedulerFlags':['one-packet'],'realServers':{'static':[]}}"),
                new Twin("flag-3 is read by no scheduler",
                        "{'vip':'198.18.0.100','port':80,'scheduler':'sh','schedulerFlags':['flag-3'],'realServers':{'static':[]}}",
                        "{'vip':'198.18.0.100','port':80,'scheduler':'sh','schedulerFlags':['flag-1'],'realServers':{'static':[]}}"),
                new Twin("flag-1, flag-2",
                        "{'vip':'198.18.0.100','port':80,'scheduler':'wlc','schedulerFlags':['flag-2'],'realServers':{'static':[]}}",
                        "{'vip':'198.18.0.100','port':80,'scheduler':'mh','schedulerFlags':['flag-2'],'realServers':{'static':[]}}"),
                new Twin("sh-fallback and sh-port",
                        "{'vip':'198.18.0.100','port':80,'scheduler':'mh','schedulerFlags':['sh-port'],'realServers':{'static':[]}}",
                        "{'vip':'198.18.0.100','port':80,'scheduler':'sh','schedulerFlags':['sh-port'],'realServers':{'static':[]}}"),
                new Twin("mh-fallback and mh-port",
                        "{'vip':'198.18.0.100','port':80,'scheduler':'sh','schedulerFlags':['mh-fallback'],'realServers':{'static':[]}}",
                        "{'vip':'198.18.0.100','port':80,'scheduler':'mh','schedulerFlags':['mh-fallback'],'realServers':{'static':[]}}"),
                new Twin("every static real server must be of the VIP's address family",
                        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'2001:db8::21'}]}}",
                        "{'vip':'2001:db8::100','port':80,'realServers':{'static':[{'address':'2001:db8::21'}]}}"),
                new Twin("a real server cannot be the VIP itself",
                        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'198.18.0.100'}]}}",
                        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'198.18.0.101'}]}}"),
                new Twin("realServerLimits.lowerConnections must not exceed",
                        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'realServerLimits':{'lowerConnections':1}}",
                        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},"
                                + "'realServerLimits':{'upperConnections':1,'lowerConnections':1}}"),
                new Twin("realServers.kubernetes takes a nodeSelector or a service",
                        "{'vip':'198.18.0.100','port':80,'realServers':{'kubernetes':{'nodeSelector':{},"
                                + "'service':{'namespace':'ingress','name':'traefik','port':'https'}}}}",
                        "{'vip':'198.18.0.100','port':80,'realServers':{'kubernetes':{"
                                + "'service':{'namespace':'ingress','name':'traefik','port':'https'}}}}"));
        List<ValidationRule> rules = specSchema().getXKubernetesValidations();
        assertThat(rules).hasSize(twins.size());
        for (Twin t : twins) {
            List<ValidationRule> matching = rules.stream().filter(r -> r.getMessage().startsWith(t.message())).toList();
            assertThat(matching).as(t.message()).hasSize(1);
            ValidationRule rule = matching.get(0);
            assertThat(rule.getFieldPath()).as(t.message()).startsWith(".");
            String field = rule.getFieldPath().substring(1);
            assertThat(refusedField(t.refused())).as(t.message() + ": refused").startsWith(field);
            assertThat(refusedField(t.accepted())).as(t.message() + ": accepted").isNull();
        }
    }

    /**
     * The address rule's regular expression (CEL's {@code matches} is RE2; this one means the same
     * in java.util.regex) refuses exactly what the mapper's {@link ServiceSpecJson#unicastProblem}
     * refuses, for addresses written the usual way. Spellings only the mapper sees through are
     * listed as such.
     */
    @Test
    void addressRuleAgreesWithTheMapper() throws Exception {
        JSONSchemaProps spec = specSchema();
        ValidationRule vipRule = spec.getProperties().get("vip").getXKubernetesValidations().get(0);
        ValidationRule rsRule = spec.getProperties().get("realServers").getProperties().get("static").getItems()
                .getSchema().getProperties().get("address").getXKubernetesValidations().get(0);
        assertThat(rsRule.getRule()).isEqualTo(vipRule.getRule());
        Matcher m = Pattern.compile("^!self\\.matches\\('(.*)'\\)$").matcher(vipRule.getRule());
        assertThat(m.matches()).as(vipRule.getRule()).isTrue();
        Pattern refused = Pattern.compile(m.group(1));
        List<String> addresses = List.of("0.0.0.0", "0.1.2.3", "127.0.0.1", "127.255.255.254", "224.0.0.1", "239.255.255.255",
                "255.255.255.255", "169.254.1.1", "198.18.0.21", "10.0.0.1", "1.2.3.4", "223.255.255.255", "240.0.0.1",
                "100.64.0.1", "::", "::1", "ff02::1", "FF05::2", "ff00::", "fe80::1", "FE80::1", "febf::1", "fe8::1",
                "ff::1", "2001:db8::1", "fec0::1", "fd00::1", "fe00::1", "2001:db8::ff02");
        List<String> disagree = new ArrayList<>();
        for (String a : addresses) {
            boolean byRule = refused.matcher(a).find();
            boolean byMapper = ServiceSpecJson.unicastProblem(IpAddresses.parse(a)) != null;
            if (byRule != byMapper) {
                disagree.add(a + (byRule ? " (rule refuses, mapper takes)" : " (mapper refuses, rule takes)"));
            }
        }
        assertThat(disagree).isEmpty();
        // Known: other spellings of what the mapper refuses pass the rule; the director refuses them.
        for (String a : List.of("0:0:0:0:0:0:0:1", "::198.18.0.21")) {
            assertThat(refused.matcher(a).find()).as(a).isFalse();
            assertThat(ServiceSpecJson.unicastProblem(IpAddresses.parse(a))).as(a).isNotNull();
        }
        assertThat(spec.getProperties().get("vip").getMaxLength()).isEqualTo(45L);
    }

    /**
     * The Service reference's schema patterns and port rule say what the parser says: names and ports
     * the schema takes are parsed, the ones it refuses are refused on the same field. The port rule's
     * CEL cannot run offline; its name test is the parser's {@code portProblem} over a table.
     */
    @Test
    void serviceReferenceSchemaAgreesWithTheMapper() throws Exception {
        JSONSchemaProps ref = specSchema().getProperties().get("realServers").getProperties().get("kubernetes")
                .getProperties().get("service");
        assertThat(ref.getRequired()).containsExactlyInAnyOrder("namespace", "name", "port");
        assertThat(ref.getProperties().get("port").getXKubernetesIntOrString()).isTrue();
        String spec = "{'vip':'198.18.0.100','port':443,'realServers':{'kubernetes':{'service':"
                + "{'namespace':'%s','name':'%s','port':%s}}}}";
        Pattern namespace = Pattern.compile(ref.getProperties().get("namespace").getPattern());
        Pattern name = Pattern.compile(ref.getProperties().get("name").getPattern());
        for (String n : List.of("ingress", "a", "kube-system", "9lives", "Ingress", "-a", "a-", "a.b", "a".repeat(63),
                "a".repeat(64))) {
            boolean bySchema = namespace.matcher(n).find() && n.length() <= ref.getProperties().get("namespace").getMaxLength();
            assertThat(refusedField(String.format(spec, n, "web", 443)) == null).as("namespace " + n).isEqualTo(bySchema);
            boolean nameBySchema = name.matcher(n).find() && n.length() <= ref.getProperties().get("name").getMaxLength();
            assertThat(refusedField(String.format(spec, "ns", n, 443)) == null).as("name " + n).isEqualTo(nameBySchema);
        }
        Pattern portName = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
        for (String p : List.of("https", "http-alt", "h2c", "a", "web-1", "Web", "web_1", "-web", "web--x",
                "abcdefghijklmnop", "abcdefghijklmno", "8443x")) {
            boolean byRule = p.length() <= 15 && portName.matcher(p).find() && !p.contains("--")
                    && Pattern.compile("[a-z]").matcher(p).find();
            assertThat(refusedField(String.format(spec, "ns", "web", "'" + p + "'")) == null).as("port " + p)
                    .isEqualTo(byRule);
        }
        for (int p : List.of(0, 1, 443, 65535, 65536)) {
            assertThat(refusedField(String.format(spec, "ns", "web", p)) == null).as("port " + p)
                    .isEqualTo(p >= 1 && p <= 65535);
        }
    }

    @Test
    void rbacGrantsReadOnNodesAndServicesAndStatusWritesOnly() throws Exception {
        List<HasMetadata> docs = load("rbac.yaml");
        assertThat(docs).hasSize(5);
        ServiceAccount sa = (ServiceAccount) docs.get(0);
        ClusterRole role = (ClusterRole) docs.get(1);
        ClusterRoleBinding binding = (ClusterRoleBinding) docs.get(2);

        Set<String> grants = role.getRules().stream()
                .flatMap((PolicyRule r) -> r.getApiGroups().stream().flatMap(g -> r.getResources().stream()
                        .flatMap(res -> r.getVerbs().stream().map(v -> g + "/" + res + ":" + v))))
                .collect(Collectors.toSet());
        assertThat(grants).containsExactlyInAnyOrder(
                "/nodes:get", "/nodes:list", "/nodes:watch",
                // The nodes serving a Service: its slices (informer: list, watch) and the Service itself.
                "discovery.k8s.io/endpointslices:list", "discovery.k8s.io/endpointslices:watch",
                "/services:get", "/services:list", "/services:watch",
                "lvsdirector.io/lvsservices:get", "lvsdirector.io/lvsservices:list", "lvsdirector.io/lvsservices:watch",
                // Status (entries, conditions, drains) is written with conditional JSON patches only.
                "lvsdirector.io/lvsservices/status:patch",
                // The LoadBalancer controller: Services read, their status patched (conditionally),
                // Events created only (their names are content hashes, so a duplicate is a 409),
                // address pools read.
                // (services get/list/watch: granted above for the endpoint source too)
                "/services/status:patch",
                "/events:create",
                "lvsdirector.io/lvsaddresspools:get", "lvsdirector.io/lvsaddresspools:list",
                "lvsdirector.io/lvsaddresspools:watch");
        assertThat(role.getRules()).allSatisfy(r -> assertThat(r.getResourceNames()).isNullOrEmpty());

        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(sa.getMetadata().getName());
            assertThat(s.getNamespace()).isEqualTo(sa.getMetadata().getNamespace());
        });

        // The Lease: in the directors' namespace only, get and update on the one named Lease the
        // controller uses by default, create (which RBAC cannot limit by name) and nothing else.
        io.fabric8.kubernetes.api.model.rbac.Role lease = (io.fabric8.kubernetes.api.model.rbac.Role) docs.get(3);
        io.fabric8.kubernetes.api.model.rbac.RoleBinding leaseBinding =
                (io.fabric8.kubernetes.api.model.rbac.RoleBinding) docs.get(4);
        var lb = io.lvsdirector.k8s.lb.LbConfig.defaults();
        assertThat(lease.getMetadata().getNamespace()).isEqualTo(lb.leaseNamespace())
                .isEqualTo(sa.getMetadata().getNamespace());
        Set<String> leaseGrants = lease.getRules().stream()
                .flatMap((PolicyRule r) -> r.getApiGroups().stream().flatMap(g -> r.getResources().stream()
                        .flatMap(res -> r.getVerbs().stream().map(v -> g + "/" + res + ":" + v + "@"
                                + (r.getResourceNames() == null ? List.of() : r.getResourceNames())))))
                .collect(Collectors.toSet());
        assertThat(leaseGrants).containsExactlyInAnyOrder(
                "coordination.k8s.io/leases:get@[" + lb.leaseName() + "]",
                "coordination.k8s.io/leases:update@[" + lb.leaseName() + "]",
                "coordination.k8s.io/leases:create@[]");
        assertThat(leaseBinding.getMetadata().getNamespace()).isEqualTo(lb.leaseNamespace());
        assertThat(leaseBinding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(leaseBinding.getRoleRef().getName()).isEqualTo(lease.getMetadata().getName());
        assertThat(leaseBinding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo(sa.getMetadata().getName());
            assertThat(s.getNamespace()).isEqualTo(sa.getMetadata().getNamespace());
        });
    }
}
