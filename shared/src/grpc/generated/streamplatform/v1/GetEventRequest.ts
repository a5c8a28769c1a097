// Original file: protos/streamplatform/v1/events.proto


export interface GetEventRequest {
  'id'?: (string);
}

export interface GetEventRequest__Output {
  'id': (string);
}
