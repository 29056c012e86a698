-- A client's representation includes its secrets and scope ids, a scope's its
-- transient scope ids: changing those bumps the parent's version (its ETag).
-- Cascaded deletes fire these triggers too, so deleting a scope bumps every
-- client and scope it was linked to.
CREATE TRIGGER `client_secrets_bump_client_on_insert` AFTER INSERT ON `client_secrets` BEGIN
  UPDATE `clients` SET `version` = `version` + 1 WHERE `tenant_id` = NEW.`tenant_id` AND `id` = NEW.`client_id`;
END;--> statement-breakpoint
CREATE TRIGGER `client_secrets_bump_client_on_delete` AFTER DELETE ON `client_secrets` BEGIN
  UPDATE `clients` SET `version` = `version` + 1 WHERE `tenant_id` = OLD.`tenant_id` AND `id` = OLD.`client_id`;
END;--> statement-breakpoint
CREATE TRIGGER `client_scopes_bump_client_on_insert` AFTER INSERT ON `client_scopes` BEGIN
  UPDATE `clients` SET `version` = `version` + 1 WHERE `tenant_id` = NEW.`tenant_id` AND `id` = NEW.`client_id`;
END;--> statement-breakpoint
CREATE TRIGGER `client_scopes_bump_client_on_delete` AFTER DELETE ON `client_scopes` BEGIN
  UPDATE `clients` SET `version` = `version` + 1 WHERE `tenant_id` = OLD.`tenant_id` AND `id` = OLD.`client_id`;
END;--> statement-breakpoint
CREATE TRIGGER `scope_transients_bump_scope_on_insert` AFTER INSERT ON `scope_transients` BEGIN
  UPDATE `scopes` SET `version` = `version` + 1 WHERE `tenant_id` = NEW.`tenant_id` AND `id` = NEW.`scope_id`;
END;--> statement-breakpoint
CREATE TRIGGER `scope_transients_bump_scope_on_delete` AFTER DELETE ON `scope_transients` BEGIN
  UPDATE `scopes` SET `version` = `version` + 1 WHERE `tenant_id` = OLD.`tenant_id` AND `id` = OLD.`scope_id`;
END;
