// Original file: protos/streamplatform/v1/accounts.proto


export interface GetAccountRequest {
  'id'?: (string);
  /**
   * A session of the account (a session token's `sid`): NOT_FOUND too if it was ended.
   */
  'sessionId'?: (string);
}

export interface GetAccountRequest__Output {
  'id': (string);
  /**
   * A session of the account (a session token's `sid`): NOT_FOUND too if it was ended.
   */
  'sessionId': (string);
}
