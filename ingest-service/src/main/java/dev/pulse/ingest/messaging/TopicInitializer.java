package dev.pulse.ingest.messaging;

import dev.pulse.contract.Topics;
import dev.pulse.ingest.config.IngestConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/** Creates the topics ingest writes to, before the first request needs them. */
@Startup
@ApplicationScoped
public class TopicInitializer {

    public TopicInitializer(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, IngestConfig config)
            throws InterruptedException {
        if (!config.topics().create()) {
            Log.info("topic creation is off (pulse.ingest.topics.create): the topics are declared outside");
            return;
        }
        Map<String, Object> adminConfig = new HashMap<>();
        adminConfig.put("bootstrap.servers", kafkaConfig.get("bootstrap.servers"));
        int timeout = (int) config.topics().creationTimeout().toMillis();
        adminConfig.put("default.api.timeout.ms", timeout);
        adminConfig.put("request.timeout.ms", timeout);
        int partitions = config.topics().partitions();
        short replication = config.topics().replicationFactor();
        List<NewTopic> topics = List.of(
                new NewTopic(Topics.RAW, partitions, replication),
                new NewTopic(Topics.INVALID, partitions, replication),
                // erasure commands name the user: kept only as long as a service that was down may need to catch up
                new NewTopic(Topics.ERASURES, partitions, replication)
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(config.topics().erasuresRetention().toMillis()))),
                new NewTopic(Topics.CATALOG_CONTENT, partitions, replication)
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        try (Admin admin = Admin.create(adminConfig)) {
            for (NewTopic topic : topics) {
                try {
                    admin.createTopics(List.of(topic)).all().get();
                    Log.infof("created topic %s with %d partitions", topic.name(), partitions);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof TimeoutException) {
                        // ingest still starts: it answers 503 and reports not ready until Kafka is back
                        Log.warnf("Kafka did not answer within %s; topic %s not created", config.topics().creationTimeout(), topic.name());
                    } else if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create topic " + topic.name(), e.getCause());
                    }
                }
            }
        }
    }
}
