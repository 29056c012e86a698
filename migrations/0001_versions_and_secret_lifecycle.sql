ALTER TABLE `client_secrets` ADD `expires_at` integer;--> statement-breakpoint
ALTER TABLE `client_secrets` ADD `last_used_at` integer;--> statement-breakpoint
ALTER TABLE `clients` ADD `version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `scopes` ADD `version` integer DEFAULT 1 NOT NULL;