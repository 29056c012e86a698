CREATE TABLE `revoked_clients` (
	`client_id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `revoked_clients_expiry_idx` ON `revoked_clients` (`expires_at`);--> statement-breakpoint
-- A deleted client refuses the tokens it was issued before tokens named their
-- secret (claim secret_id): kept for the longest a token can live, then purged.
CREATE TRIGGER `clients_revoke_on_delete` AFTER DELETE ON `clients` BEGIN
  INSERT OR REPLACE INTO `revoked_clients` (`client_id`, `tenant_id`, `expires_at`)
  VALUES (OLD.`id`, OLD.`tenant_id`, unixepoch() + 86460);
END;
