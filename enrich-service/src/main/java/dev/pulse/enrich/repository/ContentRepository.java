package dev.pulse.enrich.repository;

import dev.pulse.contract.ContentMetadata;
import dev.pulse.enrich.domain.ContentKey;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/** dim_content: the catalog view, kept from catalog.content. */
@ApplicationScoped
public class ContentRepository {
    private final Pool pool;

    public ContentRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Map<ContentKey, ContentMetadata>> find(Collection<ContentKey> keys) {
        String[] apps = keys.stream().map(ContentKey::appId).toArray(String[]::new);
        String[] ids = keys.stream().map(ContentKey::contentId).toArray(String[]::new);
        return pool.preparedQuery("""
                        SELECT c.* FROM dim_content c
                        JOIN unnest($1::text[], $2::text[]) AS k(app_id, content_id) USING (app_id, content_id)""")
                .execute(Tuple.of(apps, ids)).map(rows -> {
                    Map<ContentKey, ContentMetadata> found = new HashMap<>();
                    for (Row row : rows) {
                        OffsetDateTime published = row.getOffsetDateTime("publish_ts");
                        ContentMetadata content = new ContentMetadata(row.getString("app_id"), row.getString("content_id"),
                                row.getString("title"), row.getString("content_type"), row.getInteger("length_seconds"),
                                published == null ? null : published.toInstant());
                        found.put(new ContentKey(content.appId(), content.contentId()), content);
                    }
                    return found;
                });
    }

    /** Upserts unless a newer record of the same content (a higher offset of its partition) is stored already. */
    public Uni<Void> upsert(ContentMetadata content, int partition, long offset) {
        return pool.preparedQuery("""
                        INSERT INTO dim_content (app_id, content_id, title, content_type, length_seconds, publish_ts,
                                                 source_partition, source_offset)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                        ON CONFLICT (app_id, content_id) DO UPDATE SET
                            title = EXCLUDED.title, content_type = EXCLUDED.content_type,
                            length_seconds = EXCLUDED.length_seconds, publish_ts = EXCLUDED.publish_ts,
                            source_partition = EXCLUDED.source_partition, source_offset = EXCLUDED.source_offset,
                            updated_at = now()
                        WHERE dim_content.source_partition <> EXCLUDED.source_partition
                           OR dim_content.source_offset < EXCLUDED.source_offset""")
                .execute(Tuple.from(new Object[] {content.appId(), content.contentId(), content.title(),
                        content.contentType(), content.lengthSeconds(),
                        content.publishTs() == null ? null : content.publishTs().atOffset(ZoneOffset.UTC),
                        partition, offset}))
                .replaceWithVoid();
    }
}
