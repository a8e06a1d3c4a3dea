package dev.glmpipe.scorer.serve;

import dev.glmpipe.scorer.ExportedModel;
import dev.glmpipe.scorer.VerifiedExport;
import java.time.Instant;

/** The model the service answers with: the champion's verified export, loaded, and since when. */
public record ServedModel(ExportedModel model, VerifiedExport export, LocalRegistry.Alias alias, Instant loadedAt) {}
