// Composition root: database → repositories → services. The server, the CLI and the tests all
// build their services here, so none of them can drift from the others.
import type { Config } from './config.js';
import { createClientRepository } from './db/client-repository.js';
import { openDatabase, type Database } from './db/database.js';
import { createSigningKeyRepository } from './db/signing-key-repository.js';
import { createUserRepository } from './db/user-repository.js';
import { createAccountService } from './domain/accounts/account-service.js';
import { createClientService } from './domain/clients/client-service.js';
import { SecretBox } from './domain/crypto/secret-box.js';
import { createKeyService } from './domain/keys/key-service.js';
import type { Logger } from './logger.js';

export interface Container {
  config: Config;
  log: Logger;
  db: Database;
  accounts: ReturnType<typeof createAccountService>;
  clients: ReturnType<typeof createClientService>;
  keys: ReturnType<typeof createKeyService>;
  close(): Promise<void>;
}

export async function createContainer(config: Config, log: Logger): Promise<Container> {
  const db = await openDatabase(config.database);
  const box = new SecretBox(config.keyEncryptionSecrets);
  return {
    config,
    log,
    db,
    accounts: createAccountService(createUserRepository(db.prisma)),
    clients: createClientService(createClientRepository(db.prisma), box),
    keys: createKeyService(createSigningKeyRepository(db.prisma, db.provider), box, {
      algs: config.signingAlgs,
      rsaModulusLength: config.rsaModulusLength,
      log,
    }),
    close: () => db.close(),
  };
}
