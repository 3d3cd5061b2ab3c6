package io.lvsdirector.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
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
    void schemaFieldsMatchTheMapper() throws Exception {
        JSONSchemaProps spec = crd().getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema()
                .getProperties().get("spec");
        assertThat(spec.getProperties().keySet()).containsExactlyInAnyOrderElementsOf(ServiceSpecJson.FIELDS);
        assertThat(spec.getRequired()).containsExactlyInAnyOrder("vip", "port", "realServers");
        JSONSchemaProps rs = spec.getProperties().get("realServers");
        assertThat(rs.getProperties().keySet()).containsExactlyInAnyOrder("static", "kubernetes");
        assertThat(rs.getProperties().get("static").getItems().getSchema().getProperties().keySet())
                .containsExactlyInAnyOrderElementsOf(ServiceSpecJson.STATIC_FIELDS);
        assertThat(rs.getProperties().get("kubernetes").getProperties().keySet())
                .containsExactlyInAnyOrderElementsOf(ServiceSpecJson.KUBERNETES_FIELDS);
        assertThat(spec.getProperties().get("healthCheck").getProperties().keySet())
                .containsExactlyInAnyOrderElementsOf(ServiceSpecJson.HEALTH_CHECK_FIELDS);
        Set<String> schedulers = spec.getProperties().get("scheduler").getEnum().stream()
                .map(j -> j.toString().replace("\"", "")).collect(Collectors.toSet());
        assertThat(schedulers).isEqualTo(ServiceSpecJson.KERNEL_SCHEDULERS);
        Set<String> forwarding = spec.getProperties().get("forwarding").getEnum().stream()
                .map(j -> j.toString().replace("\"", "")).collect(Collectors.toSet());
        assertThat(forwarding).containsExactlyInAnyOrder("dr", "tun", "nat");
        // Every flag name the schema allows is one the mapper parses.
        spec.getProperties().get("schedulerFlags").getItems().getSchema().getEnum().forEach(j ->
                io.lvsdirector.core.model.ServiceFlag.parse(j.toString().replace("\"", "")));
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

    @Test
    void rbacGrantsReadOnNodesAndServicesAndStatusWritesOnly() throws Exception {
        List<HasMetadata> docs = load("rbac.yaml");
        assertThat(docs).hasSize(3);
        ServiceAccount sa = (ServiceAccount) docs.get(0);
        ClusterRole role = (ClusterRole) docs.get(1);
        ClusterRoleBinding binding = (ClusterRoleBinding) docs.get(2);

        Set<String> grants = role.getRules().stream()
                .flatMap((PolicyRule r) -> r.getApiGroups().stream().flatMap(g -> r.getResources().stream()
                        .flatMap(res -> r.getVerbs().stream().map(v -> g + "/" + res + ":" + v))))
                .collect(Collectors.toSet());
        assertThat(grants).containsExactlyInAnyOrder(
                "/nodes:get", "/nodes:list", "/nodes:watch",
                "lvsdirector.io/lvsservices:get", "lvsdirector.io/lvsservices:list", "lvsdirector.io/lvsservices:watch",
                // Status (entries, conditions, drains) is written with conditional JSON patches only.
                "lvsdirector.io/lvsservices/status:patch");
        assertThat(role.getRules()).allSatisfy(r -> assertThat(r.getResourceNames()).isNullOrEmpty());

        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(sa.getMetadata().getName());
            assertThat(s.getNamespace()).isEqualTo(sa.getMetadata().getNamespace());
        });
    }
}
