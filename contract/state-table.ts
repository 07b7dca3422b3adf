// The shape of the prompt policy's DynamoDB table, which the stack creates and the function writes:
// one string partition key and a TTL attribute in epoch seconds (docs/architecture.md, State).

/** The only key: `user#<user hash>` for a user's state, `token#<user hash>#<token id>` for a reported token. */
export const STATE_TABLE_PARTITION_KEY = 'pk';

/** Epoch seconds after which DynamoDB deletes the item (idle users, old reported-token markers). */
export const STATE_TABLE_TTL_ATTRIBUTE = 'expiresAt';
