package dev.pulse.deploy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What Kubernetes NetworkPolicies allow, evaluated offline as the API defines it: a pod selected by a policy
 * of a policy type is isolated for that direction and then admits only what some such policy allows; a
 * connection needs the egress of its source and the ingress of its destination. Peers combine namespaceSelector
 * and podSelector (both: AND; within a list: OR), ipBlock matches addresses outside the cluster (pods have none
 * here: ipBlock for pod addresses is left to the network plugin), ports are numbers or names of the destination
 * pod's container ports, with protocol (TCP by default) and endPort. Only the policies given are known: pods of
 * other namespaces are not isolated.
 */
final class NetworkPolicyEvaluator {

    /** A pod (namespace, labels, its named container ports) or an address outside the cluster (ip only). */
    record Endpoint(String name, String namespace, Map<String, String> labels, List<NamedPort> ports, String ip) {
        static Endpoint pod(String name, String namespace, Map<String, String> labels, List<NamedPort> ports) {
            return new Endpoint(name, namespace, labels, ports, null);
        }

        static Endpoint external(String name, String ip) {
            return new Endpoint(name, null, Map.of(), List.of(), ip);
        }

        boolean isPod() {
            return namespace != null;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    record NamedPort(String name, int port, String protocol) {
    }

    private final List<NetworkPolicy> policies;
    private final Map<String, Map<String, String>> namespaceLabels;

    /** @param namespaceLabels the labels of each namespace; kubernetes.io/metadata.name is added as Kubernetes does */
    NetworkPolicyEvaluator(List<NetworkPolicy> policies, Map<String, Map<String, String>> namespaceLabels) {
        this.policies = policies;
        this.namespaceLabels = namespaceLabels;
    }

    boolean allows(Endpoint from, Endpoint to, int port, String protocol) {
        return egressAllows(from, to, port, protocol) && ingressAllows(from, to, port, protocol);
    }

    boolean egressAllows(Endpoint from, Endpoint to, int port, String protocol) {
        return !from.isPod() || admits(from, "Egress", to, to, port, protocol);
    }

    boolean ingressAllows(Endpoint from, Endpoint to, int port, String protocol) {
        return !to.isPod() || admits(to, "Ingress", from, to, port, protocol);
    }

    /** One rule of either direction: the peers at the other end, the ports of the destination. */
    private record Rule(List<NetworkPolicyPeer> peers, List<NetworkPolicyPort> ports) {
    }

    private static List<Rule> rules(NetworkPolicy policy, String type) {
        if (type.equals("Ingress")) {
            return policy.getSpec().getIngress() == null ? List.of()
                    : policy.getSpec().getIngress().stream().map(r -> new Rule(r.getFrom(), r.getPorts())).toList();
        }
        return policy.getSpec().getEgress() == null ? List.of()
                : policy.getSpec().getEgress().stream().map(r -> new Rule(r.getTo(), r.getPorts())).toList();
    }

    /** @param subject the pod the policies select; peer the other end; target the destination, whose ports are named */
    private boolean admits(Endpoint subject, String type, Endpoint peer, Endpoint target, int port, String protocol) {
        boolean isolated = false;
        for (NetworkPolicy policy : policies) {
            String namespace = policy.getMetadata().getNamespace();
            if (!namespace.equals(subject.namespace()) || !selects(policy.getSpec().getPodSelector(), subject.labels())
                    || !types(policy).contains(type)) {
                continue;
            }
            isolated = true;
            for (Rule rule : rules(policy, type)) {
                boolean peerMatches = rule.peers() == null || rule.peers().isEmpty()
                        || rule.peers().stream().anyMatch(p -> matches(p, namespace, peer));
                boolean portMatches = rule.ports() == null || rule.ports().isEmpty()
                        || rule.ports().stream().anyMatch(p -> matches(p, target, port, protocol));
                if (peerMatches && portMatches) {
                    return true;
                }
            }
        }
        return !isolated;
    }

    /** policyTypes, or as the API defaults them: Ingress always, Egress when the policy has egress rules. */
    static List<String> types(NetworkPolicy policy) {
        List<String> declared = policy.getSpec().getPolicyTypes();
        if (declared != null && !declared.isEmpty()) {
            return declared;
        }
        List<?> egress = policy.getSpec().getEgress();
        return egress == null || egress.isEmpty() ? List.of("Ingress") : List.of("Ingress", "Egress");
    }

    private boolean matches(NetworkPolicyPeer peer, String policyNamespace, Endpoint endpoint) {
        if (peer.getIpBlock() != null) {
            return !endpoint.isPod() && inBlock(peer.getIpBlock(), endpoint.ip());
        }
        if (!endpoint.isPod()) {
            return false;
        }
        boolean namespaceMatches = peer.getNamespaceSelector() == null ? endpoint.namespace().equals(policyNamespace)
                : selects(peer.getNamespaceSelector(), labelsOf(endpoint.namespace()));
        return namespaceMatches && (peer.getPodSelector() == null || selects(peer.getPodSelector(), endpoint.labels()));
    }

    private Map<String, String> labelsOf(String namespace) {
        Map<String, String> labels = new HashMap<>(namespaceLabels.getOrDefault(namespace, Map.of()));
        labels.put("kubernetes.io/metadata.name", namespace);
        return labels;
    }

    static boolean matches(NetworkPolicyPort rule, Endpoint target, int port, String protocol) {
        String ruleProtocol = rule.getProtocol() == null ? "TCP" : rule.getProtocol();
        if (!ruleProtocol.equals(protocol)) {
            return false;
        }
        IntOrString p = rule.getPort();
        if (p == null) {
            return true;
        }
        if (p.getStrVal() != null) {
            return target.ports().stream().anyMatch(n -> n.name().equals(p.getStrVal()) && n.port() == port && n.protocol().equals(protocol));
        }
        int first = p.getIntVal();
        int last = rule.getEndPort() == null ? first : rule.getEndPort();
        return port >= first && port <= last;
    }

    /** A label selector: every matchLabels pair and every expression must hold; an empty selector selects all. */
    static boolean selects(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return true;
        }
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(labels.get(e.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                String value = labels.get(r.getKey());
                boolean holds = switch (r.getOperator()) {
                    case "In" -> value != null && r.getValues().contains(value);
                    case "NotIn" -> value == null || !r.getValues().contains(value);
                    case "Exists" -> labels.containsKey(r.getKey());
                    case "DoesNotExist" -> !labels.containsKey(r.getKey());
                    default -> throw new IllegalArgumentException("unknown selector operator " + r.getOperator());
                };
                if (!holds) {
                    return false;
                }
            }
        }
        return true;
    }

    static boolean inBlock(IPBlock block, String ip) {
        if (!inCidr(block.getCidr(), ip)) {
            return false;
        }
        return block.getExcept() == null || block.getExcept().stream().noneMatch(cidr -> inCidr(cidr, ip));
    }

    private static boolean inCidr(String cidr, String ip) {
        String[] parts = cidr.split("/");
        byte[] network = address(parts[0]);
        byte[] address = address(ip);
        if (network.length != address.length) {
            return false;
        }
        int bits = Integer.parseInt(parts[1]);
        int shift = network.length * 8 - bits;
        return new BigInteger(1, network).shiftRight(shift).equals(new BigInteger(1, address).shiftRight(shift));
    }

    private static byte[] address(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + literal, e);
        }
    }
}
