// Original file: protos/streamplatform/v1/accounts.proto


export interface GetAccountRequest {
  'id'?: (string);
  'sessionId'?: (string);
}

export interface GetAccountRequest__Output {
  'id': (string);
  'sessionId': (string);
}
