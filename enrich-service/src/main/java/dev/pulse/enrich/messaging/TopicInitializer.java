package dev.pulse.enrich.messaging;

import dev.pulse.contract.Topics;
import dev.pulse.enrich.config.EnrichConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * Creates every topic enrich reads or writes, before its consumers subscribe: it may start before ingest,
 * and the compacted catalog must not be auto-created with the wrong cleanup policy.
 */
@Startup
@ApplicationScoped
public class TopicInitializer {

    public TopicInitializer(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, EnrichConfig config)
            throws InterruptedException {
        if (!config.topics().create()) {
            Log.info("topic creation is off (pulse.enrich.topics.create): the topics are declared outside");
            return;
        }
        int partitions = config.topics().partitions();
        short replication = config.topics().replicationFactor();
        List<NewTopic> topics = List.of(
                new NewTopic(Topics.RAW, partitions, replication),
                new NewTopic(Topics.ENRICHED, partitions, replication),
                new NewTopic(Topics.INVALID, partitions, replication),
                new NewTopic(Topics.CATALOG_CONTENT, partitions, replication)
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafkaConfig.get("bootstrap.servers")))) {
            for (NewTopic topic : topics) {
                try {
                    admin.createTopics(List.of(topic)).all().get();
                    Log.infof("created topic %s with %d partitions", topic.name(), partitions);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create topic " + topic.name(), e.getCause());
                    }
                }
            }
        }
    }
}
