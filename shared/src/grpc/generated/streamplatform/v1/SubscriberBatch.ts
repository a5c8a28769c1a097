// Original file: protos/streamplatform/v1/subscriptions.proto


/**
 * Subscribers travel in batches (up to 1,000 user ids a message): one message per person
 * costs more in gRPC framing than the database read itself.
 */
export interface SubscriberBatch {
  'userIds'?: (string)[];
}

/**
 * Subscribers travel in batches (up to 1,000 user ids a message): one message per person
 * costs more in gRPC framing than the database read itself.
 */
export interface SubscriberBatch__Output {
  'userIds': (string)[];
}
