// Original file: protos/streamplatform/v1/accounts.proto


export interface GetMailAddressRequest {
  'id'?: (string);
}

export interface GetMailAddressRequest__Output {
  'id': (string);
}
