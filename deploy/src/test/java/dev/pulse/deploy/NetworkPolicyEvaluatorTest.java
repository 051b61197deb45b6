package dev.pulse.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.pulse.deploy.NetworkPolicyEvaluator.Endpoint;
import dev.pulse.deploy.NetworkPolicyEvaluator.NamedPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkPolicyEvaluatorTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Endpoint WEB = Endpoint.pod("web", "app", Map.of("role", "web", "tier", "front"), List.of(new NamedPort("http", 8080, "TCP")));
    private static final Endpoint DB = Endpoint.pod("db", "app", Map.of("role", "db"), List.of(new NamedPort("pg", 5432, "TCP")));
    private static final Endpoint MONITOR = Endpoint.pod("monitor", "monitoring", Map.of("role", "prometheus"), List.of());
    private static final Endpoint STRANGER = Endpoint.pod("stranger", "other", Map.of("role", "prometheus"), List.of());
    private static final Endpoint INTERNET = Endpoint.external("internet", "203.0.113.7");
    private static final Endpoint API = Endpoint.external("api", "10.0.0.1");

    @Test
    void withoutPoliciesEverythingFlows() throws IOException {
        NetworkPolicyEvaluator none = evaluator();
        assertTrue(none.allows(WEB, DB, 5432, "TCP"));
        assertTrue(none.allows(INTERNET, WEB, 1, "UDP"));
    }

    @Test
    void aConnectionNeedsTheEgressOfItsSourceAndTheIngressOfItsDestination() throws IOException {
        String deny = policy("deny", "{}", "[Ingress, Egress]", "", "");
        String dbIngress = policy("db-in", "{matchLabels: {role: db}}", "[Ingress]", "[{from: [{podSelector: {matchLabels: {role: web}}}]}]", "");
        String webEgress = policy("web-out", "{matchLabels: {role: web}}", "[Egress]", "", "[{to: [{podSelector: {matchLabels: {role: db}}}]}]");
        assertFalse(evaluator(deny).allows(WEB, DB, 5432, "TCP"));
        assertFalse(evaluator(deny, dbIngress).allows(WEB, DB, 5432, "TCP"), "egress of web still denied");
        assertFalse(evaluator(deny, webEgress).allows(WEB, DB, 5432, "TCP"), "ingress of db still denied");
        NetworkPolicyEvaluator both = evaluator(deny, dbIngress, webEgress);
        assertTrue(both.allows(WEB, DB, 5432, "TCP"));
        assertFalse(both.allows(DB, WEB, 8080, "TCP"), "the reverse direction is another connection");
    }

    @Test
    void policyTypesDefaultToIngressAndToEgressWhenThereAreEgressRules() throws IOException {
        String ingressOnly = policy("in", "{matchLabels: {role: db}}", "", "[{from: [{podSelector: {matchLabels: {role: web}}}]}]", "");
        NetworkPolicyEvaluator in = evaluator(ingressOnly);
        assertFalse(in.allows(MONITOR, DB, 5432, "TCP"), "db is isolated for ingress");
        assertTrue(in.allows(DB, INTERNET, 443, "TCP"), "but not for egress");
        String egressRules = policy("out", "{matchLabels: {role: db}}", "", "", "[{to: [{podSelector: {matchLabels: {role: web}}}]}]");
        NetworkPolicyEvaluator out = evaluator(egressRules);
        assertFalse(out.allows(DB, INTERNET, 443, "TCP"), "egress rules make it isolated for egress");
        assertFalse(out.allows(WEB, DB, 5432, "TCP"), "and, with no ingress rule, for ingress too");
    }

    @Test
    void namespaceAndPodSelectorsInOnePeerAreBothRequiredInTwoPeersEither() throws IOException {
        String and = policy("and", "{matchLabels: {role: web}}", "[Ingress]",
                "[{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}, podSelector: {matchLabels: {role: prometheus}}}]}]", "");
        NetworkPolicyEvaluator both = evaluator(and);
        assertTrue(both.allows(MONITOR, WEB, 8080, "TCP"));
        assertFalse(both.allows(STRANGER, WEB, 8080, "TCP"), "right pod labels, wrong namespace");
        String or = policy("or", "{matchLabels: {role: web}}", "[Ingress]",
                "[{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}, {podSelector: {matchLabels: {role: prometheus}}}]}]", "");
        NetworkPolicyEvaluator either = evaluator(or);
        assertTrue(either.allows(MONITOR, WEB, 8080, "TCP"));
        assertFalse(either.allows(STRANGER, WEB, 8080, "TCP"), "a podSelector alone means the policy's own namespace");
        assertFalse(either.allows(DB, WEB, 8080, "TCP"));
        String anyNamespace = policy("any", "{matchLabels: {role: web}}", "[Ingress]", "[{from: [{namespaceSelector: {}}]}]", "");
        assertTrue(evaluator(anyNamespace).allows(STRANGER, WEB, 8080, "TCP"));
        assertFalse(evaluator(anyNamespace).allows(INTERNET, WEB, 8080, "TCP"), "selectors never match addresses outside");
    }

    @Test
    void portsByNumberRangeOrNameOfTheDestinationAndTcpByDefault() throws IOException {
        String named = policy("named", "{matchLabels: {role: web}}", "[Egress]", "", "[{ports: [{port: pg}]}]");
        NetworkPolicyEvaluator byName = evaluator(named);
        assertTrue(byName.allows(WEB, DB, 5432, "TCP"));
        assertFalse(byName.allows(WEB, DB, 5433, "TCP"), "the name stands for the destination's port only");
        assertFalse(byName.allows(WEB, INTERNET, 5432, "TCP"), "an address outside has no named ports");
        assertFalse(byName.allows(WEB, DB, 5432, "UDP"));
        String range = policy("range", "{matchLabels: {role: web}}", "[Egress]", "", "[{ports: [{port: 5000, endPort: 5500}, {port: 53, protocol: UDP}]}]");
        NetworkPolicyEvaluator ranged = evaluator(range);
        assertTrue(ranged.allows(WEB, DB, 5432, "TCP"));
        assertFalse(ranged.allows(WEB, DB, 5501, "TCP"));
        assertTrue(ranged.allows(WEB, INTERNET, 53, "UDP"));
        assertFalse(ranged.allows(WEB, INTERNET, 53, "TCP"));
        String anyPort = policy("any", "{matchLabels: {role: web}}", "[Egress]", "", "[{to: [{podSelector: {}}]}]");
        assertTrue(evaluator(anyPort).allows(WEB, DB, 12345, "SCTP"));
    }

    @Test
    void selectorExpressions() throws IOException {
        String in = "{matchExpressions: [{key: role, operator: In, values: [web, api]}]}";
        String notIn = "{matchExpressions: [{key: tier, operator: NotIn, values: [front]}]}";
        String exists = "{matchExpressions: [{key: tier, operator: Exists}]}";
        String absent = "{matchExpressions: [{key: tier, operator: DoesNotExist}]}";
        String labelsAndExpression = "{matchLabels: {role: web}, matchExpressions: [{key: tier, operator: In, values: [back]}]}";
        assertTrue(selected(in, WEB));
        assertFalse(selected(in, DB));
        assertFalse(selected(notIn, WEB));
        assertTrue(selected(notIn, DB), "NotIn holds where the label is missing");
        assertTrue(selected(exists, WEB));
        assertFalse(selected(exists, DB));
        assertTrue(selected(absent, DB));
        assertFalse(selected(labelsAndExpression, WEB), "every requirement must hold");
        assertTrue(selected("{}", DB));
    }

    @Test
    void ipBlocksWithExceptions() throws IOException {
        String block = policy("block", "{matchLabels: {role: db}}", "[Egress]", "",
                "[{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}], ports: [{port: 443}]}]");
        NetworkPolicyEvaluator evaluator = evaluator(block);
        assertTrue(evaluator.allows(DB, API, 443, "TCP"));
        assertFalse(evaluator.allows(DB, Endpoint.external("excepted", "10.1.2.3"), 443, "TCP"));
        assertFalse(evaluator.allows(DB, INTERNET, 443, "TCP"));
        assertFalse(evaluator.allows(DB, WEB, 443, "TCP"), "pods are not matched by address");
        String everything = policy("all", "{matchLabels: {role: db}}", "[Egress]", "", "[{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]");
        assertTrue(evaluator(everything).allows(DB, INTERNET, 443, "TCP"));
    }

    @Test
    void aRuleWithoutPeersAdmitsEverySourceAndARuleWithoutPortsEveryPort() throws IOException {
        String portsOnly = policy("ports-only", "{matchLabels: {role: web}}", "[Ingress]", "[{ports: [{port: http}]}]", "");
        NetworkPolicyEvaluator anyone = evaluator(portsOnly);
        assertTrue(anyone.allows(INTERNET, WEB, 8080, "TCP"), "no from: sources outside the cluster too");
        assertTrue(anyone.allows(STRANGER, WEB, 8080, "TCP"));
        assertFalse(anyone.allows(STRANGER, WEB, 8081, "TCP"));
        String allowAll = policy("all", "{matchLabels: {role: web}}", "[Ingress]", "[{}]", "");
        assertTrue(evaluator(allowAll).allows(INTERNET, WEB, 1, "UDP"), "an empty rule admits everything");
        String denyAll = policy("none", "{matchLabels: {role: web}}", "[Ingress]", "", "");
        assertFalse(evaluator(denyAll).allows(DB, WEB, 8080, "TCP"), "a type without rules isolates and admits nothing");
        assertTrue(evaluator(denyAll).allows(WEB, DB, 5432, "TCP"), "only for its type");
    }

    @Test
    void aPolicyIsolatesOnlyThePodsOfItsOwnNamespace() throws IOException {
        String elsewhere = policy("deny", "{}", "[Ingress, Egress]", "", "").replace("namespace: app", "namespace: monitoring");
        NetworkPolicyEvaluator evaluator = evaluator(elsewhere);
        assertTrue(evaluator.allows(WEB, DB, 5432, "TCP"), "pods of app are not selected by a policy of monitoring");
        assertFalse(evaluator.allows(WEB, MONITOR, 9090, "TCP"), "the pods of monitoring are");
        assertFalse(evaluator.allows(MONITOR, WEB, 8080, "TCP"));
    }

    @Test
    void aNamedPortIsResolvedOnEachDestinationPod() throws IOException {
        Endpoint otherWeb = Endpoint.pod("web-2", "app", Map.of("role", "web"), List.of(new NamedPort("http", 9000, "TCP")));
        String named = policy("named", "{matchLabels: {role: db}}", "[Egress]", "", "[{to: [{podSelector: {matchLabels: {role: web}}}], ports: [{port: http}]}]");
        NetworkPolicyEvaluator evaluator = evaluator(named);
        assertTrue(evaluator.allows(DB, WEB, 8080, "TCP"));
        assertTrue(evaluator.allows(DB, otherWeb, 9000, "TCP"));
        assertFalse(evaluator.allows(DB, otherWeb, 8080, "TCP"), "8080 is http on web only");
        assertFalse(evaluator.allows(DB, WEB, 9000, "TCP"));
    }

    @Test
    void anEmptyNamespaceSelectorWithAPodSelectorMeansThosePodsInEveryNamespace() throws IOException {
        String anywhere = policy("anywhere", "{matchLabels: {role: web}}", "[Ingress]",
                "[{from: [{namespaceSelector: {}, podSelector: {matchLabels: {role: prometheus}}}]}]", "");
        NetworkPolicyEvaluator evaluator = evaluator(anywhere);
        assertTrue(evaluator.allows(STRANGER, WEB, 8080, "TCP"));
        assertTrue(evaluator.allows(MONITOR, WEB, 8080, "TCP"));
        assertFalse(evaluator.allows(DB, WEB, 8080, "TCP"));
    }

    private static boolean selected(String selector, Endpoint pod) throws IOException {
        return !evaluator(policy("p", selector, "[Ingress]", "", "")).allows(MONITOR, pod, 1, "TCP");
    }

    private static String policy(String name, String podSelector, String types, String ingress, String egress) {
        return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: " + name + ", namespace: app}\nspec:\n  podSelector: "
                + podSelector + (types.isEmpty() ? "" : "\n  policyTypes: " + types) + (ingress.isEmpty() ? "" : "\n  ingress: " + ingress)
                + (egress.isEmpty() ? "" : "\n  egress: " + egress) + "\n";
    }

    private static NetworkPolicyEvaluator evaluator(String... yaml) throws IOException {
        List<NetworkPolicy> policies = new ArrayList<>();
        for (String y : yaml) {
            policies.add(YAML.readValue(y, NetworkPolicy.class));
        }
        return new NetworkPolicyEvaluator(policies, Map.of());
    }
}
