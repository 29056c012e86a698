CREATE TABLE `audit_events` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`actor_sub` text NOT NULL,
	`actor_client_id` text,
	`actor_issuer` text NOT NULL,
	`actor_jti` text,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text NOT NULL,
	`request_id` text NOT NULL,
	`before` text,
	`after` text,
	`pending` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_events_tenant_idx` ON `audit_events` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_events_target_idx` ON `audit_events` (`tenant_id`,`target_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_events_actor_idx` ON `audit_events` (`tenant_id`,`actor_sub`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_events_action_idx` ON `audit_events` (`tenant_id`,`action`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_events_age_idx` ON `audit_events` (`created_at`);--> statement-breakpoint
CREATE INDEX `audit_events_pending_idx` ON `audit_events` (`created_at`) WHERE `pending` = 1;--> statement-breakpoint
CREATE TABLE `revoked_secrets` (
	`secret_id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`client_id` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `revoked_secrets_expiry_idx` ON `revoked_secrets` (`expires_at`);--> statement-breakpoint
CREATE TABLE `revoked_tokens` (
	`jti` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`client_id` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `revoked_tokens_client_idx` ON `revoked_tokens` (`client_id`,`expires_at`);--> statement-breakpoint
CREATE INDEX `revoked_tokens_expiry_idx` ON `revoked_tokens` (`expires_at`);--> statement-breakpoint
ALTER TABLE `clients` ADD `token_generation` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- A deleted secret (alone, with its client by cascade, or purged after expiring)
-- revokes every token it minted: they carry its id in claim secret_id. Kept for
-- the longest a token can live (TOKEN_TTL_SECONDS <= 86400, plus 60 s of clock
-- tolerance); the scheduled handler purges it after.
CREATE TRIGGER `client_secrets_revoke_on_delete` AFTER DELETE ON `client_secrets` BEGIN
  INSERT OR REPLACE INTO `revoked_secrets` (`secret_id`, `tenant_id`, `client_id`, `expires_at`)
  VALUES (OLD.`id`, OLD.`tenant_id`, OLD.`client_id`, unixepoch() + 86460);
END;
