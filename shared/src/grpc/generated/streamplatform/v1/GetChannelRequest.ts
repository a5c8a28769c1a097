// Original file: protos/streamplatform/v1/channels.proto


export interface GetChannelRequest {
  'id'?: (string);
}

export interface GetChannelRequest__Output {
  'id': (string);
}
