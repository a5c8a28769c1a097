// Original file: protos/streamplatform/v1/events.proto


export interface GetCurrentEventRequest {
  'channelId'?: (string);
}

export interface GetCurrentEventRequest__Output {
  'channelId': (string);
}
