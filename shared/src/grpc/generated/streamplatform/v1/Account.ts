// Original file: protos/streamplatform/v1/accounts.proto


export interface Account {
  'id'?: (string);
}

export interface Account__Output {
  'id': (string);
}
